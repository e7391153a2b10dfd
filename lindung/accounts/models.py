"""Users, their roles and the regions each role may act in."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from lindung.regions.models import Region


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    PROVINCE_VIEWER = "province_viewer", _("Province viewer")
    CITY_OFFICER = "city_officer", _("City officer (Dinas PMD / Disnaker)")
    BPJS_OFFICER = "bpjs_officer", _("BPJS branch officer")
    VILLAGE_HEAD = "village_head", _("Village head (perbekel)")
    VILLAGE_OPERATOR = "village_operator", _("Village operator")
    TRAINER = "trainer", _("Trainer (OPD)")


class RoleAssignment(models.Model):
    """A role held by a user over one or more regions (or the whole country when `national`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    national = models.BooleanField(_("whole country"), default=False)
    regions = models.ManyToManyField(Region, blank=True, related_name="+", verbose_name=_("regions"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_assignment_per_role")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}"
