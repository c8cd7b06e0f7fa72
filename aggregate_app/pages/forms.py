"""The Policy view's forms (governance admins): assign a profile, remove an assignment, review a
proposed exception. They validate here; the change itself goes through the aggregate write route,
so the source's audited action records it under the signed-in user."""

from datetime import UTC, datetime, time

from django import forms

from .. import sources

SCOPES = [("pipeline", "Pipeline"), ("team", "Team"), ("domain", "Domain")]
PROFILES = [("strict", "Strict"), ("balanced", "Balanced"), ("relaxed", "Relaxed")]


def source_field() -> forms.ChoiceField:
    names = sources.names()
    every = "both" if len(names) <= 2 else "all"
    return forms.ChoiceField(
        label="Source",
        choices=[(n, n) for n in names] + [(every, f"{every} (every source)")],
        help_text="Where the change is written.",
    )


class TargetForm(forms.Form):
    scope = forms.ChoiceField(label="Scope", choices=SCOPES)
    target_id = forms.CharField(
        label="Target", max_length=200, help_text="A pipeline id, team or domain, as the scope says."
    )
    reason = forms.CharField(label="Reason", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["source", "scope", "target_id"]

    def __init__(self, *args, prefix_id: str = "", **kwargs):
        super().__init__(*args, auto_id=f"id_{prefix_id}_%s", **kwargs)
        self.fields = {"source": source_field(), **self.fields}
        self.order_fields(self.field_order)

    def payload(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("source", None)
        return {k: v for k, v in data.items() if v not in (None, "", False)}


class AssignForm(TargetForm):
    profile = forms.ChoiceField(label="Profile", choices=PROFILES)
    propose_exception = forms.BooleanField(
        label="Also propose it as an exception (needs a second admin's approval)", required=False
    )
    exception_expires_at = forms.DateField(
        label="Exception expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    field_order = [
        "source",
        "scope",
        "target_id",
        "profile",
        "reason",
        "propose_exception",
        "exception_expires_at",
    ]

    def clean(self):
        data = super().clean()
        if data.get("propose_exception") and not data.get("exception_expires_at"):
            self.add_error("exception_expires_at", "An exception needs an expiry date.")
        return data

    def payload(self) -> dict:
        data = super().payload()
        if data.pop("propose_exception", False):
            data["is_exception"] = True
            expires = data.pop("exception_expires_at")
            data["exception_expires_at"] = datetime.combine(expires, time(23, 59, 59), UTC).isoformat()
        else:
            data.pop("exception_expires_at", None)
        return data


class RemoveForm(TargetForm):
    pass


class ReviewForm(TargetForm):
    decision = forms.ChoiceField(label="Decision", choices=[("approve", "Approve"), ("reject", "Reject")])

    field_order = ["source", "scope", "target_id", "decision", "reason"]


FORMS = {
    "assign": (AssignForm, "/api/aggregate/policies/profiles/assign"),
    "remove": (RemoveForm, "/api/aggregate/policies/profiles/remove"),
    "review": (ReviewForm, "/api/aggregate/policies/exceptions/review"),
}
