"""Security events go into the audit chain from day one: login, logout, failed login."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from lindung.audit.recording import audit_record


@receiver(user_logged_in, dispatch_uid="lindung_audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action="auth.login", target_type="user", target_id=user.pk, request=request)


@receiver(user_logged_out, dispatch_uid="lindung_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="auth.logout", target_type="user", target_id=user.pk, request=request)


@receiver(user_login_failed, dispatch_uid="lindung_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record(actor=None, actor_username=username, action="auth.login_failed", target_type="user", request=request)
