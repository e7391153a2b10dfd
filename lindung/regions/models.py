"""Kemendagri regions: province → regency/city → district → desa/kelurahan."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """One administrative region, keyed by its dotted Kemendagri code (`51.71.03.2008`).

    The code is the key on purpose: every region below a scope shares its code as a prefix, so scoping
    and roll-ups are prefix filters on an indexed column and later tables can carry the code alone.
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        REGENCY = 2, _("Regency/city")
        DISTRICT = 3, _("District")
        VILLAGE = 4, _("Village")

    class Kind(models.TextChoices):
        PROVINCE = "provinsi", _("Province")
        REGENCY = "kabupaten", _("Regency")
        CITY = "kota", _("City")
        DISTRICT = "kecamatan", _("District")
        DISTRIK = "distrik", _("District (Papua)")
        DESA = "desa", _("Desa")
        KELURAHAN = "kelurahan", _("Kelurahan")
        DESA_ADAT = "desa_adat", _("Desa adat")

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}" if self.level == 4 else self.name

    @property
    def is_village(self) -> bool:
        return self.level == self.Level.VILLAGE

    def ancestor_codes(self) -> list[str]:
        """Codes of the regions above this one, province first."""
        parts = self.code.split(".")
        return [".".join(parts[:i]) for i in range(1, len(parts))]


class BranchOffice(models.Model):
    """A BPJS Ketenagakerjaan branch office (Kantor Cabang) and the regencies/cities it serves."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    regencies = models.ManyToManyField(
        Region,
        related_name="branch_offices",
        verbose_name=_("regencies/cities served"),
        limit_choices_to={"level": Region.Level.REGENCY},
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("BPJS branch office")
        verbose_name_plural = _("BPJS branch offices")

    def __str__(self) -> str:
        return self.name
