import datetime
from decimal import Decimal as D
from io import BytesIO

import pytest
from pypdf import PdfReader

from reviews.letters import LetterError, committee_minutes_pdf, decision_letter_pdf

NBSP = "\u00a0"


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(value: str) -> str:
    """Extracted text with line wrapping and no-break spaces folded into single spaces."""
    return " ".join(value.replace(NBSP, " ").split())


def letter(**changes):
    data = {
        "reference": "PTCE-2026-0042",
        "call_title": "AMI « Financer le développement des PTCE »",
        "phase": "funding",
        "decision": "accepted",
        "amount": D("80000"),
        "date": datetime.date(2026, 12, 1),
        "place": "Paris",
        "candidate": {
            "organisation": "Coopérative des Monts",
            "contact_name": "Zoé Martin",
            "address_lines": ["12 rue de la Gare", "15000 Aurillac"],
        },
        "signatory": {"name": "Anne Dupont", "title": "La haute-commissaire à l’ESS"},
    }
    return data | changes


def test_acceptance_letter_states_the_amount():
    text = flat(pdf_text(decision_letter_pdf(letter())))
    assert "Coopérative des Monts À l’attention de Zoé Martin 12 rue de la Gare" in text
    assert "Paris, le 1er décembre 2026" in text
    assert "Objet : décision relative au dossier PTCE-2026-0042" in text
    assert "le comité de sélection a retenu votre dossier PTCE-2026-0042" in text
    assert "Une subvention de 80 000 € vous est attribuée au titre de la phase 2" in text
    assert "La haute-commissaire à l’ESS Anne Dupont" in text
    assert "regret" not in text


def test_refusal_letter_gives_the_reasons_and_the_appeal():
    text = flat(
        pdf_text(
            decision_letter_pdf(
                letter(
                    decision="rejected",
                    amount=None,
                    reasons="Gouvernance peu formalisée.\nCofinancements non confirmés.",
                )
            )
        )
    )
    assert "n’a pas retenu votre dossier PTCE-2026-0042" in text
    assert "Motifs du refus : Gouvernance peu formalisée. Cofinancements non confirmés." in text
    assert "recours gracieux" in text
    assert "subvention" not in text


def test_waiting_list_letter():
    text = flat(
        pdf_text(
            decision_letter_pdf(letter(decision="waiting_list", amount=None, waiting_position=2))
        )
    )
    assert "sur la liste d’attente en position 2." in text
    assert "si des crédits se libèrent" in text


def test_emergence_label_letter():
    text = flat(pdf_text(decision_letter_pdf(letter(phase="emergence", amount=None))))
    assert "phase 1 « PTCE émergents »" in text
    assert "Votre pôle obtient le label « PTCE émergent »." in text


def test_user_text_is_escaped_not_interpreted():
    hostile = letter(
        decision="rejected",
        reasons='<script>alert("x")</script> & <b>gras</b> <font size=40>énorme</font>',
        candidate={"organisation": "A&B <i>Coop</i>", "address_lines": ["<br/>rue & co"]},
        call_title="Appel <para>",
    )
    text = flat(pdf_text(decision_letter_pdf(hostile)))
    assert (
        'Motifs du refus : <script>alert("x")</script> & <b>gras</b> '
        "<font size=40>énorme</font>" in text
    )
    assert "A&B <i>Coop</i> <br/>rue & co" in text
    assert "Appel « Appel <para> »" in text


def test_names_beyond_latin_1_are_printed():
    text = flat(pdf_text(decision_letter_pdf(letter(candidate={"organisation": "Łukasz Ağaoğlu"}))))
    assert "Łukasz Ağaoğlu" in text


def test_letter_text_is_reproducible():
    # Byte equality is lost with WeasyPrint (fontTools stamps the subset fonts with the time).
    assert pdf_text(decision_letter_pdf(letter())) == pdf_text(decision_letter_pdf(letter()))


def test_letter_refuses_incomplete_data():
    with pytest.raises(LetterError, match="Lettre de décision : un refus est toujours motivé."):
        decision_letter_pdf(letter(decision="rejected", reasons="  "))
    with pytest.raises(LetterError, match="le montant accordé en phase 2 est manquant"):
        decision_letter_pdf(letter(amount=None))
    with pytest.raises(LetterError, match="Décision inconnue « maybe »"):
        decision_letter_pdf(letter(decision="maybe"))
    with pytest.raises(LetterError) as error:
        decision_letter_pdf(letter(signatory={"name": "Anne Dupont"}))
    assert str(error.value) == ("Lettre de décision, signataire : information manquante (title).")


def minutes(**changes):
    data = {
        "call_title": "AMI 2025",
        "session_title": "Comité de sélection du 4 décembre",
        "session_date": datetime.date(2026, 12, 4),
        "place": "Bercy",
        "members_present": ["Anne Dupont — DGTrésor", "Paul Roy & associés <b>CDC</b>"],
        "envelope": D("500000"),
        "decisions": [
            {
                "reference": "PTCE-2025-0001",
                "name": "Pôle des Monts",
                "region": "Auvergne-Rhône-Alpes",
                "decision": "accepted",
                "amount": D("80000"),
                "reasons": "",
            },
            {
                "reference": "PTCE-2025-0002",
                "name": "<b>Coop</b>",
                "region": "Bretagne",
                "decision": "accepted",
                "amount": D("65000"),
                "reasons": "",
            },
            {
                "reference": "PTCE-2025-0003",
                "name": "Terres & Mer",
                "region": "Corse",
                "decision": "waiting_list",
                "amount": None,
                "reasons": "Enveloppe épuisée",
            },
            {
                "reference": "PTCE-2025-0004",
                "name": "Pôle Nord",
                "region": "Hauts-de-France",
                "decision": "rejected",
                "amount": None,
                "reasons": "Critère éliminatoire : coopération",
            },
        ],
        "chair": {"name": "Marie Curie", "title": "Présidente du comité"},
    }
    return data | changes


def test_minutes_list_members_decisions_and_totals():
    text = flat(pdf_text(committee_minutes_pdf(minutes())))
    assert "Procès-verbal — Comité de sélection du 4 décembre" in text
    assert "séance du 4 décembre 2026, Bercy" in text
    assert "– Anne Dupont — DGTrésor – Paul Roy & associés <b>CDC</b>" in text
    assert "PTCE-2025-0001 Pôle des Monts" in text
    assert "PTCE-2025-0002 <b>Coop</b> Bretagne" in text
    assert "80 000 €" in text
    assert "Critère éliminatoire : coopération" in text
    assert (
        "Dossiers examinés : 4 Retenus : 2 Liste d’attente : 1 Non retenus : 1 "
        "Montant total accordé : 145 000 € Enveloppe : 500 000 € Reste disponible : 355 000 €"
    ) in text
    assert "Présidente du comité Marie Curie" in text


def test_minutes_of_a_long_session_span_pages_with_the_header_repeated():
    rows = [
        {
            "reference": f"PTCE-2025-{index:04d}",
            "name": f"Pôle {index}",
            "region": "Occitanie",
            "decision": "rejected",
            "amount": None,
            "reasons": "Projet insuffisamment mûr",
        }
        for index in range(1, 121)
    ]
    content = committee_minutes_pdf(minutes(decisions=rows, envelope=None, chair=None))
    reader = PdfReader(BytesIO(content))
    assert len(reader.pages) > 2
    assert "Référence" in reader.pages[1].extract_text()
    assert "Procès-verbal — AMI 2025 Page 2" in flat(reader.pages[1].extract_text())
    text = flat(pdf_text(content))
    assert "Dossiers examinés : 120" in text
    assert "Reste disponible" not in text


def test_empty_minutes_and_bad_decision():
    text = flat(pdf_text(committee_minutes_pdf(minutes(decisions=[], members_present=[]))))
    assert "Aucun membre présent n’est indiqué." in text
    assert "Aucune décision n’a été enregistrée." in text
    with pytest.raises(LetterError, match="Décision inconnue « oui »"):
        committee_minutes_pdf(minutes(decisions=[{"reference": "X", "decision": "oui"}]))
