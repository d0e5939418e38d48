from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "accessibilite/",
        views.PublicPage.as_view(
            template_name="core/accessibility.html", page_title="Déclaration d’accessibilité"
        ),
        name="accessibility",
    ),
    path(
        "mentions-legales/",
        views.PublicPage.as_view(
            template_name="core/legal_notice.html", page_title="Mentions légales"
        ),
        name="legal_notice",
    ),
    path(
        "donnees-personnelles/",
        views.PublicPage.as_view(
            template_name="core/personal_data.html", page_title="Données personnelles"
        ),
        name="personal_data",
    ),
    path(
        "questions-frequentes/",
        views.PublicPage.as_view(template_name="core/faq.html", page_title="Questions fréquentes"),
        name="faq",
    ),
    path("plan-du-site/", views.SitemapView.as_view(), name="sitemap"),
    path("sante/", views.health, name="health"),
    path("sante/pret/", views.readiness, name="readiness"),
    path("sante/metriques/", views.metrics, name="metrics"),
]
