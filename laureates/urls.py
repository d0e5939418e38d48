from laureates.urls_followup import urlpatterns as followup_urlpatterns
from laureates.urls_support import urlpatterns as support_urlpatterns

app_name = "laureates"

urlpatterns: list = [*support_urlpatterns, *followup_urlpatterns]
