from laureates.urls_support import urlpatterns as support_urlpatterns

app_name = "laureates"

urlpatterns: list = [*support_urlpatterns]
