"""GeoJSON outlines → SVG paths, once, at import: pages then draw a map from stored text.

1. Each feature's Polygon or MultiPolygon is checked: rings of at least four [lon, lat]
   positions within range.
2. All of a scheme's outlines are projected together (equirectangular, longitudes
   shrunk by the cosine of the middle latitude, so a small area keeps its shape) and
   scaled into a WIDTH-wide drawing.
3. Each ring is simplified (Douglas-Peucker, to TOLERANCE drawing units: finer detail
   than a screen shows is only bytes) and written as "M x y L … Z" with one decimal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

WIDTH = 1000.0
MARGIN = 4.0
TOLERANCE = 0.6

Ring = list[tuple[float, float]]
Polygon = list[Ring]


class BadGeometry(ValueError):
    """A feature's geometry that cannot be drawn."""


def polygons_of(geometry: object) -> list[Polygon]:
    """The polygons of a GeoJSON geometry, as lists of rings of (lon, lat)."""
    if not isinstance(geometry, dict):
        raise BadGeometry("the feature has no geometry")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return [_polygon(coordinates)]
    if kind == "MultiPolygon" and isinstance(coordinates, list) and coordinates:
        return [_polygon(part) for part in coordinates]
    raise BadGeometry(f"the geometry is {kind!r}, not a Polygon or MultiPolygon")


def _polygon(rings: object) -> Polygon:
    if not isinstance(rings, list) or not rings:
        raise BadGeometry("a polygon has no rings")
    return [_ring(ring) for ring in rings]


def _ring(positions: object) -> Ring:
    if not isinstance(positions, list) or len(positions) < 4:
        raise BadGeometry("a ring needs at least four positions")
    ring = []
    for position in positions:
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(isinstance(v, int | float) and math.isfinite(v) for v in position[:2])
        ):
            raise BadGeometry(f"{position!r} is not a [longitude, latitude] position")
        lon, lat = float(position[0]), float(position[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise BadGeometry(f"{position!r} is outside longitudes ±180 and latitudes ±90")
        ring.append((lon, lat))
    return ring


def draw(outlines: dict[str, list[Polygon]]) -> tuple[dict[str, str], int, int]:
    """Every region's SVG path in one drawing, and the drawing's width and height."""
    points = [
        point
        for polygons in outlines.values()
        for polygon in polygons
        for ring in polygon
        for point in ring
    ]
    if not points:
        return {}, 0, 0
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    shrink = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * shrink, 1e-9), max(north - south, 1e-9)
    scale = (WIDTH - 2 * MARGIN) / max(span_x, span_y)
    width, height = span_x * scale + 2 * MARGIN, span_y * scale + 2 * MARGIN

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (MARGIN + (lon - west) * shrink * scale, MARGIN + (north - lat) * scale)

    paths = {}
    for code, polygons in outlines.items():
        parts = []
        for polygon in polygons:
            for ring in polygon:
                drawn = simplify([project(*p) for p in ring], TOLERANCE)
                if len(drawn) >= 3:
                    parts.append(_path(drawn))
        paths[code] = "".join(parts)
    return paths, math.ceil(width), math.ceil(height)


def _path(points: Sequence[tuple[float, float]]) -> str:
    head, *rest = points
    return f"M{head[0]:.1f} {head[1]:.1f}" + "".join(f"L{x:.1f} {y:.1f}" for x, y in rest) + "Z"


def simplify(points: Sequence[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker with a stack rather than recursion (a coastline has thousands of
    points): keep the point farthest from each chord while it is farther than
    `tolerance`. The ring's closing point, equal to its first, is dropped (Z closes)."""
    if len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    if len(points) < 4:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        farthest, index = -1.0, first
        for i in range(first + 1, last):
            px, py = points[i]
            if length:
                distance = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / length
            else:
                distance = math.hypot(px - x1, py - y1)
            if distance > farthest:
                farthest, index = distance, i
        if farthest > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [p for p, kept in zip(points, keep, strict=True) if kept]
