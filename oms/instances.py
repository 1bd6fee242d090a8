"""Unsaved model instances for bulk writes, built without ``Model.__init__``'s per-field work.

``Model(**values)`` pops each field's value from the keywords (a missed one raises and catches ``KeyError``),
asks every other field for its default, and sets each attribute through the model's descriptors: for the
48 fields of an order that is about 60 µs, and an intake builds a dozen instances per order (the order, its
lines, payment, change log, three state logs, reservations, line allocations, the notice). ``new_instance``
gives the same instance: the constant defaults are worked out once per model, the callable ones (``now``,
a database default) are called per instance, the given values go straight into the instance's ``__dict__``
when they are a concrete field's attribute, and anything else (a related object, a property) goes through
``setattr`` as ``Model.__init__`` would. ``tests/oms/test_instances.py`` compares it with ``Model(**values)``
for every model the intake builds.

Models with ``pre_init``/``post_init`` receivers, or whose ``__init__`` is overridden, are built by
``Model(**values)``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=models.Model)


@functools.cache
def _plan(model: type[models.Model]) -> _Plan | None:
    """How ``new_instance`` builds ``model``; None when the model must go through its own ``__init__``."""
    if model.__init__ is not models.Model.__init__:
        return None
    plan = _Plan(constants={}, made=[], guarded=[], guarded_names=set(), attnames=set(), others=set())
    for field in model._meta.concrete_fields:
        plan.attnames.add(field.attname)
        descriptor = model.__dict__.get(field.attname)
        if hasattr(descriptor, "__set__") and not isinstance(descriptor, ForeignKeyDeferredAttribute):
            plan.guarded.append(field)  # a descriptor that converts or guards (a state machine's field)
            plan.guarded_names.add(field.attname)
        elif field.has_db_default() or (field.has_default() and callable(field.default)):
            plan.made.append(field)
        else:
            plan.constants[field.attname] = field.get_default()
    plan.others = {f.name for f in model._meta.get_fields()} | set(model._meta._property_names)
    return plan


@dataclass
class _Plan:
    constants: dict[str, Any]  # attribute -> its default, the same for every instance
    made: list  # fields whose default is made per instance (a callable, a database default)
    guarded: list  # fields set through their descriptor, as Model.__init__ sets them
    guarded_names: set[str]
    attnames: set[str]  # the concrete fields' attributes
    others: set[str]  # other accepted keywords: relations by name, properties


def new_instance(model: type[M], **values: Any) -> M:
    """``model(**values)``, built faster (see the module's docstring); same instance, same refusal of an
    unknown keyword."""
    plan = _plan(model)
    if plan is None or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model(**values)
    instance = model.__new__(model)
    instance._state = ModelState()
    state = instance.__dict__
    state.update(plan.constants)
    for field in plan.made:
        if field.attname not in values:
            state[field.attname] = field.get_default()
    for field in plan.guarded:
        name = field.attname
        setattr(instance, name, values[name] if name in values else field.get_default())
    later = []
    for name, value in values.items():
        if name in plan.attnames:
            if name not in plan.guarded_names:
                state[name] = value
        elif name in plan.others:
            later.append((name, value))
        else:
            raise TypeError(f"{model.__name__}() got unexpected keyword arguments: '{name}'")
    for name, value in later:  # related objects and properties, through their descriptors
        setattr(instance, name, value)
    return instance
