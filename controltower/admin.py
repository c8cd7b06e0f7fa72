"""API tokens in the admin: list, issue (the key is shown once, in the confirmation message) and
revoke. Keys are never stored or shown again; a token cannot be edited into a different one."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from . import tokens
from .models import ApiToken


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("user", "name", "scopes", "expires_at")

    def clean_scopes(self) -> str:
        try:
            return tokens.check_scopes(self.cleaned_data["scopes"].split())
        except ValueError as exc:
            raise forms.ValidationError(str(exc))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ("user", "name", "selector", "scopes", "state", "created_at", "expires_at", "revoked_at")
    list_filter = ("scopes", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("user__username", "name", "selector")
    readonly_fields = ("selector", "created_at", "revoked_at")
    actions = ("revoke",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name", "scopes", "expires_at")
        return ("user", "name", "selector", "scopes", "created_at", "expires_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else ("user", "scopes", *self.readonly_fields)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the row stays as a record of the token

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        issued, key = tokens.issue(
            obj.user, name=obj.name, scopes=obj.scopes.split(), expires_at=obj.expires_at
        )
        obj.pk = issued.pk
        self.message_user(
            request,
            f"Token issued for {obj.user}. Copy the key now, it is stored only hashed and cannot be "
            f"shown again: {key}",
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = tokens.revoke(queryset)
        self.message_user(request, f"Revoked {count} token(s) at {timezone.now():%Y-%m-%d %H:%M} UTC.")
