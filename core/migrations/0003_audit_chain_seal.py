"""Anchor the audit entries written before the HMAC key with one sealed entry
(docs/adr/0012-audit-chain-hmac.md). Needs PTCE_AUDIT_KEY when there are such entries."""

from django.db import migrations


def seal(apps, schema_editor):
    from core.audit import seal_legacy_chain
    from core.audit_heads import write_head

    log_model = apps.get_model("core", "AuditLog")
    entry = seal_legacy_chain(log_model, apps.get_model("core", "AuditChainHead"))
    if entry is not None:
        write_head(log_model=log_model, reason="scellement")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_auditlog_algorithm"),
    ]

    # The seal entry is append-only: going back leaves it in place.
    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]
