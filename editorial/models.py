"""Edited texts of letters (per call or for every call) and of public pages, with their
versions. A missing row means « the shipped default » (``editorial.defaults``)."""

from django.conf import settings
from django.db import models

from editorial.defaults import LetterKind, PageKey


class LetterText(models.Model):
    kind = models.CharField("document", max_length=20, choices=LetterKind.choices)
    call = models.ForeignKey(
        "calls.Call",
        verbose_name="appel",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="letter_texts",
        help_text="Vide : texte commun à tous les appels.",
    )
    body = models.TextField("paragraphes", blank=True)
    appeal = models.TextField("voies de recours", blank=True)
    closing = models.TextField("formule de politesse", blank=True)
    signatory_name = models.CharField("nom du signataire", max_length=200, blank=True)
    signatory_title = models.CharField("qualité du signataire", max_length=200, blank=True)
    contact = models.TextField("coordonnées du programme", blank=True)
    revision = models.PositiveIntegerField("révision", default=1)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modifié par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "texte de courrier"
        verbose_name_plural = "textes de courriers"
        constraints = [
            models.UniqueConstraint(fields=["kind", "call"], name="letter_text_unique_per_call"),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(call__isnull=True),
                name="letter_text_unique_national",
            ),
        ]

    def __str__(self):
        where = f" — {self.call}" if self.call_id else ""
        return f"{self.get_kind_display()}{where}"


class LetterTextVersion(models.Model):
    letter = models.ForeignKey(
        LetterText, verbose_name="texte", on_delete=models.CASCADE, related_name="versions"
    )
    revision = models.PositiveIntegerField("révision")
    content = models.JSONField("contenu")
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "version d’un texte de courrier"
        verbose_name_plural = "versions des textes de courriers"
        ordering = ["-revision"]

    def __str__(self):
        return f"{self.letter} — révision {self.revision}"


class PageBlock(models.Model):
    key = models.CharField("bloc", max_length=30, choices=PageKey.choices, unique=True)
    body = models.TextField("texte")
    revision = models.PositiveIntegerField("révision", default=1)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modifié par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "bloc de page publique"
        verbose_name_plural = "blocs de pages publiques"

    def __str__(self):
        return self.get_key_display()


class PageBlockVersion(models.Model):
    block = models.ForeignKey(
        PageBlock, verbose_name="bloc", on_delete=models.CASCADE, related_name="versions"
    )
    revision = models.PositiveIntegerField("révision")
    body = models.TextField("texte")
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "version d’un bloc de page"
        verbose_name_plural = "versions des blocs de pages"
        ordering = ["-revision"]

    def __str__(self):
        return f"{self.block} — révision {self.revision}"
