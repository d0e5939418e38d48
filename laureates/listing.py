"""The open-data columns of a PTCE derived from its members, communes and labels.

``Ptce.member_count``, ``commune_codes``, ``label_summary`` and ``first_label_year`` hold what
the open-data record of a pole shows of its related rows (``directory.exports``), so that a
page of the public API is one plain read of the PTCE table, without a subquery per pole
(issue 20: the uncached list must keep up with the health endpoint).

They are kept in step exactly like the search text, which depends on the same rows: by
``laureates.services.refresh_search`` (one pole) and ``refresh_search_many`` (imports), which
every writer of members, communes or labels calls (the award service, the back-office form,
the demo, the test factories); the historical import computes them in memory for the poles
it creates (``listing_fields``). ``manage.py refresh_ptce_listing`` recomputes them all.
"""

from collections import defaultdict

from django.db.models import Count

from laureates.models import short_label

FIELDS = ("member_count", "commune_codes", "label_summary", "first_label_year")
CHUNK = 500


def listing_fields(member_count: int, commune_codes, labels) -> dict:
    """``labels``: (title, year, phase) of the pole. Codes sorted and joined by « | », labels
    in (year, title, phase) order joined by « | », as the open-data file writes them."""
    ordered = sorted(labels, key=lambda label: (label[1], label[0], label[2]))
    return {
        "member_count": member_count,
        "commune_codes": "|".join(sorted(commune_codes)),
        "label_summary": " | ".join(short_label(title, phase) for title, _year, phase in ordered),
        "first_label_year": min((year for _title, year, _phase in ordered), default=None),
    }


def refresh_listing(pks=None, *, apps=None) -> int:
    """Recompute the listing columns of the PTCE ``pks`` (all when None): three reads and one
    batched update per 500 poles. Returns the number of poles written. ``apps``: the registry
    of a data migration."""
    if apps is None:
        from django.apps import apps
    Ptce = apps.get_model("laureates", "Ptce")
    PtceLabel = apps.get_model("laureates", "PtceLabel")
    PtceMember = apps.get_model("laureates", "PtceMember")
    if pks is None:
        pks = Ptce.objects.values_list("pk", flat=True)
    pks = sorted(set(pks))
    written = 0
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        codes, labels = defaultdict(list), defaultdict(list)
        for ptce_id, code in Ptce.communes.through.objects.filter(ptce_id__in=chunk).values_list(
            "ptce_id", "commune__code"
        ):
            codes[ptce_id].append(code)
        for ptce_id, *label in PtceLabel.objects.filter(ptce_id__in=chunk).values_list(
            "ptce_id", "title", "year", "phase"
        ):
            labels[ptce_id].append(label)
        members = dict(
            PtceMember.objects.filter(ptce_id__in=chunk)
            .order_by()
            .values_list("ptce_id")
            .annotate(n=Count("pk"))
        )
        rows = list(Ptce.objects.filter(pk__in=chunk).only("pk", *FIELDS))
        for ptce in rows:
            fields = listing_fields(members.get(ptce.pk, 0), codes[ptce.pk], labels[ptce.pk])
            for name, value in fields.items():
                setattr(ptce, name, value)
        Ptce.objects.bulk_update(rows, FIELDS, batch_size=CHUNK)
        written += len(rows)
    return written
