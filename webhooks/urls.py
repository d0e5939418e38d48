from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("instruction/webhooks/", views.endpoint_list, name="list"),
    path("instruction/webhooks/nouveau/", views.endpoint_create, name="create"),
    path("instruction/webhooks/<int:pk>/", views.endpoint_detail, name="detail"),
    path("instruction/webhooks/<int:pk>/secret/", views.regenerate_secret, name="regenerate"),
    path("instruction/webhooks/<int:pk>/supprimer/", views.endpoint_delete, name="delete"),
    path("instruction/webhooks/livraisons/<int:pk>/", views.delivery_detail, name="delivery"),
    path(
        "instruction/webhooks/livraisons/<int:pk>/renvoyer/",
        views.redeliver,
        name="redeliver",
    ),
]
