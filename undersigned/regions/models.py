"""Region schemes: the ways a site divides the places its signers live in.

A scheme is a set of regions (constituencies, districts, provinces…). One is built in,
the ISO 3166-2 subdivisions of every country, read from pycountry rather than stored
(lookups.py): it changes with the library, not with the site. Operators import their
own with `import_regions`, optionally `import_postcodes` (how a signer's postcode finds
their region) and `import_boundaries` (the shapes the breakdown's map draws).

Regions, postcodes and boundaries name their region by its code rather than by a
foreign key: the files name them that way, a re-import replaces rows without touching
the others, and a postcode table of millions of rows stays one narrow index.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

SUBDIVISIONS = "subdivisions"  # the built-in scheme's code


class Scheme(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    # The site's default quorum for petitions that use this scheme: a number of signers
    # in one region, or a share of the region's population (0.001 is 0.1 %). Either may
    # be empty; a petition may set its own (Petition.region_quorum).
    quorum = models.PositiveIntegerField(_("quorum (signers in a region)"), null=True, blank=True)
    quorum_share = models.DecimalField(
        _("quorum (share of a region's population)"),
        max_digits=7,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_(
            "For example 0.001 for one in a thousand of the people who live in the region."
        ),
    )
    # Set by import_boundaries: the drawing's size, and whether its shapes are a sketch
    # (the page then says "schematic map", never passing invented shapes off as borders).
    map_width = models.PositiveIntegerField(default=0, editable=False)
    map_height = models.PositiveIntegerField(default=0, editable=False)
    schematic_map = models.BooleanField(_("the map is schematic"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region scheme")
        verbose_name_plural = _("region schemes")

    def __str__(self) -> str:
        return self.name

    @property
    def is_built_in(self) -> bool:
        return self.code == SUBDIVISIONS

    @property
    def has_map(self) -> bool:
        return bool(self.map_width and self.map_height)


class Region(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="regions")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2)
    parent = models.CharField(_("parent region's code"), max_length=40, blank=True)
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="one_region_per_code")
        ]
        indexes = [models.Index(fields=["scheme", "country"], name="region_by_country")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Postcode(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="+")
    postcode = models.CharField(max_length=16)  # lookups.normalize_postcode's form
    region = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "postcode"], name="one_region_per_postcode")
        ]

    def __str__(self) -> str:
        return f"{self.postcode} → {self.region}"


class Boundary(models.Model):
    """A region's outline, projected and simplified at import (geometry.py) into an SVG
    path in its scheme's drawing, so a page draws the map without any GIS at run time."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="boundaries")
    region = models.CharField(max_length=40)
    path = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "region"], name="one_boundary_per_region")
        ]

    def __str__(self) -> str:
        return f"boundary of {self.region}"
