from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None gives an unusable password: e-mail sign-in only
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An organizer or a moderator (staff). Signers do not need an account."""

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    is_staff = models.BooleanField(_("moderator"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")

    def __str__(self) -> str:
        return self.name or self.email

    # A session is bound to whether the account is a moderator: one begun before the
    # account was made staff (by an e-mailed link alone, say) ends when it is, so staff
    # powers always start at the staff sign-in (password, then link: accounts/actions.py).
    # Organizers' hashes are Django's own, so their sessions outlive this rule's arrival.
    def get_session_auth_hash(self) -> str:
        return self._bound_to_role(super().get_session_auth_hash())

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        return (self._bound_to_role(h) for h in super().get_session_auth_fallback_hash())

    def _bound_to_role(self, session_hash: str) -> str:
        if self.is_staff or self.is_superuser:
            return f"{session_hash}:staff{int(self.is_superuser)}"
        return session_hash
