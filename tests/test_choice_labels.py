"""common.models.ChoiceLabels: get_FOO_display() from a mapping made once per field gives what
Django's own gives, for every choice field of the entry and its events, every value and one
outside the choices, in each language."""

from __future__ import annotations

from django.db import models
from django.utils import translation

from liaison.constants import EntryStatus
from liaison.models import Entry, EntryEvent


def test_the_labels_are_djangos_for_every_choice_field_and_language():
    for model in (Entry, EntryEvent):
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            for value in [*(value for value, _label in field.flatchoices), "not-a-choice"]:
                instance = model(**{field.attname: value})
                for language in ("zh-hans", "en"):
                    with translation.override(language):
                        ours = instance._get_FIELD_display(field)
                        djangos = models.Model._get_FIELD_display(instance, field)
                    assert ours == djangos, (model.__name__, field.name, value, language)


def test_a_label_follows_the_language_of_the_moment():
    entry = Entry(status=EntryStatus.REFERRED)
    with translation.override("zh-hans"):
        chinese = entry.get_status_display()
    with translation.override("en"):
        english = entry.get_status_display()
    assert chinese == "已交办专业部门" and english != chinese
