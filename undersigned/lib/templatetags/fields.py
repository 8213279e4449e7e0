from django import template
from django.forms import BoundField

register = template.Library()


@register.simple_tag
def widget(field: BoundField) -> str:
    """The field's input, tied to its hint and error for screen readers."""
    described = []
    if field.help_text:
        described.append(f"{field.id_for_label}-hint")
    if field.errors:
        described.append(f"{field.id_for_label}-error")
    attrs = {"aria-describedby": " ".join(described)} if described else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
