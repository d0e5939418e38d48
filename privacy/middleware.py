"""Logs every successful staff access to a page or download holding candidates' personal
data (routes listed in ``LOGGED_ROUTES``). One row per response, written after the view."""

from privacy.models import AccessLog

# route name → what the access is (French, shown in the admin site).
LOGGED_ROUTES = {
    "applications:summary": "consultation du dossier (récapitulatif)",
    "applications:attachment_download": "téléchargement d’une pièce du dossier",
    "applications:receipt": "téléchargement de l’accusé de réception",
    "reviews:file": "consultation du dossier (instruction)",
    "reviews:versions": "consultation des versions du dossier",
    "reviews:messages": "consultation des messages du dossier",
    "reviews:message_attachment": "téléchargement d’une pièce jointe à un message",
    "reviews:decision_letter": "téléchargement de la lettre de décision",
    "reviews:export_csv": "export CSV des dossiers",
    "reviews:export_xlsx": "export XLSX des dossiers",
    "events:export": "export des participants d’un événement",
    "laureates:support_manage": "liste des participants d’une offre d’accompagnement",
    "reviews:file_pdf": "téléchargement du dossier en PDF",
    "reviews:attachments_zip": "téléchargement des pièces du dossier (zip)",
    "reviews:export_ods": "export ODS des dossiers",
    "laureates:followup_list": "consultation du suivi des lauréats",
    "laureates:followup_overdue": "consultation des bilans en retard",
    "laureates:followup_payments_csv": "export CSV des versements aux lauréats",
    "laureates:followup_agreement": "consultation d’une convention de lauréat",
    "laureates:followup_report": "consultation d’un bilan de lauréat",
    "laureates:agreement_pdf": "téléchargement d’une convention de lauréat",
    "dynamics:moderation_list": "liste des déclarations de dynamiques territoriales",
    "dynamics:moderation_detail": "consultation d’une déclaration de dynamique territoriale",
    "directory:api_staff_award_list": "API : décisions avec les données des dossiers",
    "backoffice:outbox_list": "consultation de la boîte d’envoi",
    "backoffice:outbox_detail": "consultation d’un courriel de la boîte d’envoi",
    "backoffice:audit_list": "consultation du journal d’audit",
}


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None or match.view_name not in LOGGED_ROUTES or response.status_code != 200:
            return response
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(user, "is_staff_role", False):
            return response
        AccessLog.objects.create(
            user=user,
            user_label=user.email,
            action=LOGGED_ROUTES[match.view_name],
            route=match.view_name,
            path=request.get_full_path()[:500],
            object_id=str(
                match.kwargs.get("uuid") or match.kwargs.get("slug") or match.kwargs.get("pk") or ""
            )[:64],
        )
        return response
