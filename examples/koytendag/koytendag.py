"""Deterministic generator of an illustrative planning dataset for the Koytendag
(Kugitang) landscape on the Turkmenistan-Uzbekistan border.

The data are generated, not surveyed: positions, elevations and protected-area sizes
follow the sourced facts listed in this folder's README; everything else (the shape of
the terrain, ecosystem boundaries, species suitability, costs) is a plausible pattern
made from those facts and fixed pseudo-random texture. Same resolution -> same bytes.

Grid: equirectangular projection (``+proj=eqc +lat_ts=37.8 +lon_0=66.55``, metres) over
37.3-38.3 N x 65.9-67.2 E; 1 km cells (~12,600 planning units) or 250 m (~200,000).
Cell areas are true areas (km2), corrected for latitude.
"""

from __future__ import annotations

import hashlib

import numpy as np
import scipy.sparse as sp
import xarray as xr

R = 6_371_007.0
LAT_TS, LON_0 = 37.8, 66.55
EXTENT = {"lat": (37.3, 38.3), "lon": (65.9, 67.2)}
CRS = f"+proj=eqc +lat_ts={LAT_TS} +lon_0={LON_0} +x_0=0 +y_0=0 +R={R:.0f} +units=m +no_defs"

# --- sourced points (lat, lon); see README for sources ----------------------------------
AYRYBABA = (37.8333, 66.5667)          # 3,137 m (ru.wikipedia)
MAGDANLY = (37.8067, 66.0567)          # 37°48'24"N 66°03'24"E
SHEROBOD = (37.6667, 67.0000)          # 37°40'N 67°00'E
CAVES = {                               # robertxa/Turkmenistan Koytendag-model.kml (lon, lat swapped here)
    "Suw-Oyuk sinkhole": (37.5968, 66.4054),
    "Gap-Gotan (Kap-Kutan)": (37.6382, 66.4108),
    "Hochimoyouk": (37.6425, 66.3827),
    "Geophysicalskaya/Gulshirin": (37.6732, 66.3949),
    "Kaptarhana": (37.8281, 66.4104),
    "Grotte des Chauves-Souris": (37.9120, 66.4970),
    "Petit General": (37.8995, 66.5198),
    "Hanaka": (37.9453, 66.6563),
}
# --- illustrative geometry (no public coordinates found; see README) -------------------
CREST = [(37.30, 66.36), (37.45, 66.44), (37.60, 66.50), (37.8333, 66.5667), (38.00, 66.74), (38.30, 66.90)]
AMU_DARYA = [(37.20, 66.75), (37.30, 66.55), (37.34, 66.27), (37.45, 66.05), (37.58, 65.85)]
SHERABAD_RIVER = [(38.35, 66.97), (38.00, 66.99), (37.6667, 67.00), (37.40, 67.05), (37.25, 67.10)]
KOYTENDARYA = [(37.95, 66.60), (37.80, 66.45), (37.65, 66.33), (37.50, 66.20)]
ROADS = [[(37.8067, 66.0567), (37.78, 66.30), (37.80, 66.45), (37.86, 66.55)],   # Kugitang valley road
         [(37.80, 66.45), (37.90, 66.58)],                                      # Koyten -> Hojapil
         [(38.30, 66.95), (37.6667, 67.00), (37.30, 67.10)]]                    # E60 via Sherobod
RAIL = [(37.60, 65.90), (37.8067, 66.0567), (37.70, 66.30), (37.55, 66.60), (37.45, 67.00), (37.35, 67.20)]
PLACES = {  # labelled on the maps: sourced positions only
    "Ayrybaba (3137 m)": AYRYBABA, "Magdanly": (37.8067, 66.0567), "Sherobod": (37.6667, 67.0000),
}
SETTLEMENTS = {  # name: (lat, lon, radius km); Magdanly and Sherobod sourced, others illustrative
    "Magdanly": (37.8067, 66.0567, 3.0), "Sherobod": (37.6667, 67.0000, 2.5),
    "Koyten": (37.80, 66.45, 1.0), "Hojapil": (37.90, 66.58, 0.8), "Hojakarawul": (37.76, 66.40, 0.8),
    "Garlyk": (37.62, 66.28, 1.5),
}
MINES = {  # Garlyk potash (262.5 ha, sourced size; position illustrative), Gaurdak sulphur near Magdanly
    "Garlyk potash": (37.60, 66.25, 0.95), "Gaurdak sulphur": (37.77, 66.12, 1.2),
}
# protected areas: (country, centre lat, lon, area ha); areas sourced, centres illustrative
PROTECTED = {
    "Koytendag SNR": ("TKM", 37.80, 66.50, 27_139),
    "Garlyk sanctuary": ("TKM", 37.66, 66.40, 40_000),
    "Hojaburjybelent sanctuary": ("TKM", 37.52, 66.36, 31_635),
    "Hojapil sanctuary": ("TKM", 37.93, 66.62, 17_532),
    "Hojagarawul sanctuary": ("TKM", 37.73, 66.43, 6_011),
    "Surkhan SNR (Kugitang cluster)": ("UZB", 37.84, 66.63, 24_583 - 3_092),
}
DINOSAUR_PLATEAU = (37.91, 66.60)  # Hojapil, illustrative position near the village
ECOSYSTEMS = ["semi_desert", "tugai_riparian", "foothill_grassland", "pistachio_woodland", "juniper_woodland",
              "upper_slope_forest", "alpine_grassland", "cliffs_karst"]
SPECIES = ["bukhara_markhor", "bukhara_urial", "eurasian_lynx", "persian_leopard", "blind_cave_loach", "cave_bats"]
GEOHERITAGE = ["dinosaur_plateau", "karst_caves"]


def to_xy(lat, lon):
    """Equirectangular coordinates (m) of latitude/longitude (degrees)."""
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    return R * np.cos(np.radians(LAT_TS)) * np.radians(lon - LON_0), R * np.radians(lat)


def to_latlon(x, y):
    return np.degrees(np.asarray(y) / R), LON_0 + np.degrees(np.asarray(x) / (R * np.cos(np.radians(LAT_TS))))


def _polyline_distance(px, py, line) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance (m) from points to a polyline, the side (+1 east/right of travel... sign of the
    cross product) and the along-line position (m) of the nearest point."""
    xs, ys = to_xy([p[0] for p in line], [p[1] for p in line])
    best = np.full(px.shape, np.inf)
    side = np.zeros(px.shape)
    along = np.zeros(px.shape)
    start = 0.0
    for k in range(len(xs) - 1):
        ax, ay, bx, by = xs[k], ys[k], xs[k + 1], ys[k + 1]
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / length2, 0, 1)
        cx, cy = ax + t * dx, ay + t * dy
        d = np.hypot(px - cx, py - cy)
        closer = d < best
        best = np.where(closer, d, best)
        cross = dx * (py - ay) - dy * (px - ax)
        side = np.where(closer, np.sign(cross), side)
        along = np.where(closer, start + t * np.sqrt(length2), along)
        start += np.sqrt(length2)
    return best, side, along


def _texture(x, y, seed: int, scales_km=(3, 40), waves: int = 48) -> np.ndarray:
    """Resolution-independent smooth noise in [-1, 1]: a sum of fixed random plane waves."""
    rng = np.random.default_rng(seed)
    wl = np.exp(rng.uniform(np.log(scales_km[0]), np.log(scales_km[1]), waves)) * 1000
    theta = rng.uniform(0, np.pi, waves)
    phase = rng.uniform(0, 2 * np.pi, waves)
    amp = wl / wl.sum()
    out = np.zeros_like(x)
    for w, th, ph, a in zip(wl, theta, phase, amp):
        out += a * np.sin(2 * np.pi * (x * np.cos(th) + y * np.sin(th)) / w + ph)
    return out / np.abs(out).max()


def _near(px, py, lat, lon, radius_km) -> np.ndarray:
    cx, cy = to_xy(lat, lon)
    return np.hypot(px - cx, py - cy) <= radius_km * 1000


def _point_cell(px, py, lat, lon) -> np.ndarray:
    cx, cy = to_xy(lat, lon)
    d = np.hypot(px - cx, py - cy)
    return d == d.min()


def generate(resolution_km: float = 1.0) -> xr.Dataset:
    """Generate the dataset (see module docstring) at ``resolution_km``."""
    step = resolution_km * 1000
    x0, y0 = to_xy(EXTENT["lat"][0], EXTENT["lon"][0])
    x1, y1 = to_xy(EXTENT["lat"][1], EXTENT["lon"][1])
    xs = np.arange(np.floor(x0 / step) * step + step / 2, x1, step)
    ys = np.arange(np.ceil(y1 / step) * step - step / 2, y0, -step)  # north up
    px, py = np.meshgrid(xs, ys)
    lat, lon = to_latlon(px, py)
    area_km2 = (step / 1000) ** 2 * np.cos(np.radians(lat)) / np.cos(np.radians(LAT_TS))

    # ---- rivers, border, country ---------------------------------------------------------
    d_amu, _, _ = _polyline_distance(px, py, AMU_DARYA)
    d_sher, _, _ = _polyline_distance(px, py, SHERABAD_RIVER)
    d_koy, _, _ = _polyline_distance(px, py, KOYTENDARYA)
    d_crest, side_crest, along = _polyline_distance(px, py, CREST)
    # the crest runs south -> north: positive cross product = west (left of travel)
    west = side_crest > 0
    country = np.where(west, 1, 2).astype(np.int8)  # 1 TKM, 2 UZB
    # south of the Amu Darya east of Kelif (66.27 E) lies Afghanistan: not planning units
    lat_s, lon_s = np.array([p[0] for p in AMU_DARYA]), np.array([p[1] for p in AMU_DARYA])
    south_of_river = lat < np.interp(lon, lon_s[::-1], lat_s[::-1])
    afghanistan = south_of_river & (lon > 66.27)

    # ---- terrain ----------------------------------------------------------------------------
    tex = _texture(px, py, 1)
    fine = _texture(px, py, 2, scales_km=(1.5, 8))
    plain = 238 + np.minimum(d_amu, d_sher + 20_000) / 1000 * 3.0 + 60 * (tex + 1)
    sx, sy = to_xy(*AYRYBABA)
    _, _, s_summit = _polyline_distance(np.array([sx]), np.array([sy]), CREST)
    height = 700 + 2437 * np.exp(-((along - s_summit[0]) / 45_000) ** 2)
    width = np.where(west, 13_000, 7_000)  # gentle western slope, near-vertical eastern face
    profile = np.exp(-(d_crest / width) ** 2)
    # texture fades out towards the crest, so that the crest (the border) is the ridge line
    relief = (height - plain) * profile * (1 + 0.10 * fine * (1 - profile)) \
        + 250 * np.exp(-(d_crest / 25_000) ** 2) * (tex + 1) / 2
    elevation = plain + np.maximum(relief, 0)
    elevation -= 120 * np.exp(-(d_koy / 1500) ** 2) * (elevation > 400)  # Koytendarya valley
    # scale so that the Ayrybaba cell is the single highest point at 3,137 m
    summit = _point_cell(px, py, *AYRYBABA)
    elevation = np.maximum(elevation, 238.0)
    peak = float(elevation[summit][0])
    elevation = np.where(~summit & (elevation >= peak), peak - 1.0, elevation)
    elevation = 238.0 + (elevation - 238.0) * (3137.0 - 238.0) / (peak - 238.0)
    elevation[summit] = 3137.0
    river = (d_amu <= step * 0.75) & ~afghanistan
    elevation[river] = 238.0
    gy, gx = np.gradient(elevation, step)
    slope = np.hypot(gx, gy)

    # ---- ecosystems (exclusive classes, amount = km2) ------------------------------------
    e = elevation
    riparian = ((d_amu < 3000) | (d_sher < 1500) | (d_koy < 800)) & (e < 900)
    cliffs = (slope > 0.35) | ((~west) & (d_crest < 4000) & (e > 1500))
    eco = np.full(e.shape, "semi_desert", dtype=object)
    eco[(e >= 500) & (e < 900)] = "foothill_grassland"
    eco[(e >= 800) & (e < 1400) & (tex > -0.2)] = "pistachio_woodland"
    eco[(e >= 1300) & (e < 2500)] = "juniper_woodland"
    eco[(e >= 1700) & (e < 2700) & (fine > 0.25)] = "upper_slope_forest"
    eco[e >= 2650] = "alpine_grassland"
    eco[riparian] = "tugai_riparian"
    eco[cliffs & (e > 700)] = "cliffs_karst"

    # ---- human footprint, locks, costs ---------------------------------------------------
    settle = np.zeros(e.shape, bool)
    for la, lo, r in SETTLEMENTS.values():
        settle |= _near(px, py, la, lo, max(r, resolution_km * 0.6))
    mines = np.zeros(e.shape, bool)
    for la, lo, r in MINES.values():
        mines |= _near(px, py, la, lo, max(r, resolution_km * 0.6))
    d_road = np.min([_polyline_distance(px, py, r)[0] for r in ROADS], axis=0)
    d_rail = _polyline_distance(px, py, RAIL)[0]
    irrigated = (e < 420) & ((d_amu < 12_000) | (d_sher < 6_000)) & (tex > -0.4)
    grazing = np.clip(1 - np.abs(e - 900) / 900, 0, 1)
    land_value = np.exp(0.6 * _texture(px, py, 3, scales_km=(2, 15)))  # local variation in land value
    cost = land_value * (1.0 + 6.0 * irrigated + 2.5 * grazing + 3.0 * np.exp(-d_road / 3000) + 1.5 * np.exp(-d_rail / 3000)
            + 20.0 * (settle | mines) + 0.3 * (fine + 1)) * area_km2
    cost[afghanistan] = np.nan

    # ---- protected areas (grown from illustrative centres to the sourced areas) -----------
    pu = ~afghanistan
    taken = settle | mines | ~pu
    pa_id = np.zeros(e.shape, np.int16)
    for k, (name, (iso, la, lo, ha)) in enumerate(PROTECTED.items(), start=1):
        cx, cy = to_xy(la, lo)
        eligible = ~taken & (country == (1 if iso == "TKM" else 2))
        d = np.where(eligible, np.hypot(px - cx, py - cy), np.inf).ravel()
        order = np.argsort(d, kind="stable")
        cum = np.cumsum(area_km2.ravel()[order])
        n = int(np.searchsorted(cum, ha / 100.0)) + 1
        chosen = order[:n]
        pa_id.ravel()[chosen] = k
        taken.ravel()[chosen] = True

    # ---- species and geoheritage (amount = suitability x km2) ---------------------------
    rugged = np.clip(slope / 0.3, 0, 1)
    markhor = np.clip((e - 600) / 900, 0, 1) * np.clip((3600 - e) / 600, 0, 1) * (0.3 + 0.7 * rugged)
    urial = np.clip(1 - np.abs(e - 1300) / 1100, 0, 1) * np.clip(1 - slope / 0.4, 0, 1) * (e > 450)
    lynx = np.isin(eco, ["juniper_woodland", "upper_slope_forest", "pistachio_woodland"]) * (0.5 + 0.5 * (fine + 1) / 2)
    leopard = 0.25 * np.clip((e - 800) / 800, 0, 1) * np.clip((2800 - e) / 600, 0, 1) * (0.4 + 0.6 * rugged)
    loach = _point_cell(px, py, *CAVES["Suw-Oyuk sinkhole"]).astype(float)
    bats = np.zeros(e.shape)
    caves = np.zeros(e.shape)
    for la, lo in CAVES.values():
        cell = _point_cell(px, py, la, lo)
        caves[cell] = 1.0
        bats = np.maximum(bats, np.where(_near(px, py, la, lo, 2.0 * max(1.0, resolution_km)), 0.5, 0.0))
        bats[cell] = 1.0
    dino = _point_cell(px, py, *DINOSAUR_PLATEAU).astype(float)

    layers = {"cost": cost, "elevation": np.where(pu, elevation, np.nan), "area": area_km2,
              "country": country, "protected": (pa_id > 0).astype(np.int8), "pa_id": pa_id,
              "settlement": settle.astype(np.int8), "mine": mines.astype(np.int8)}
    for name in ECOSYSTEMS:
        layers[name] = (eco == name) * area_km2
    for name, v in zip(SPECIES, (markhor, urial, lynx, leopard, loach, bats)):
        layers[name] = v * (area_km2 if name not in ("blind_cave_loach",) else 1.0)
    layers["dinosaur_plateau"] = dino
    layers["karst_caves"] = caves
    # movement resistance for markhor (1 = best habitat): rises away from rugged mid-elevation
    # slopes, and towns, mines and irrigated valleys are near-barriers
    layers["markhor_resistance"] = 1.0 + 9.0 * (1.0 - markhor) + 40.0 * (settle | mines) + 10.0 * irrigated
    # the same for Bukhara urial (foothills and gentle slopes down towards the Amu Darya valley)
    layers["urial_resistance"] = 1.0 + 9.0 * (1.0 - urial) + 40.0 * (settle | mines) + 10.0 * irrigated
    ds = xr.Dataset({k: (("y", "x"), np.asarray(v)) for k, v in layers.items()}, coords={"y": ys, "x": xs})
    for k in ds.data_vars:
        if k not in ("cost", "elevation"):
            ds[k] = ds[k].where(pu, 0) if ds[k].dtype.kind == "f" else ds[k]
    ds["country"].attrs.update(flag_values=np.array([1, 2], np.int8), flag_meanings="TKM UZB",
                               long_name="jurisdiction (Turkmenistan west of the crest, Uzbekistan east)")
    ds["pa_id"].attrs.update(flag_values=np.arange(len(PROTECTED) + 1, dtype=np.int16),
                             flag_meanings="none " + " ".join(n.replace(" ", "_") for n in PROTECTED))
    ds["cost"].attrs.update(units="index x km2", long_name="illustrative opportunity cost",
                            crs=CRS)
    ds["elevation"].attrs.update(units="m")
    ds["area"].attrs.update(units="km2")
    for name in ECOSYSTEMS:
        ds[name].attrs.update(units="km2", long_name=f"ecosystem type {name}")
    for name in ("bukhara_markhor", "bukhara_urial", "eurasian_lynx", "persian_leopard", "cave_bats"):
        ds[name].attrs.update(units="suitability-weighted km2",
                              long_name=f"{name.replace('_', ' ')}: habitat suitability (0-1) x cell area")
    for name, unit, long_name in (("blind_cave_loach", "sites", "Suw-Oyuk sinkhole, the only known site"),
                                  ("dinosaur_plateau", "sites", "dinosaur footprint plateau"),
                                  ("karst_caves", "caves", "known karst caves")):
        ds[name].attrs.update(units=unit, long_name=long_name)
    for name in ("markhor_resistance", "urial_resistance"):
        ds[name].attrs.update(units="1", long_name="movement resistance (1 = easiest)")
    ds.attrs.update(title="Koytendag (Kugitang) illustrative planning dataset", crs=CRS,
                    resolution_km=resolution_km, note="Generated data, not survey data; see examples/koytendag/README.md")
    return ds


def markhor_connectivity(ds: xr.Dataset) -> sp.csr_matrix:
    """Symmetric connectivity between 4-neighbour planning units weighted by markhor habitat:
    ``C_ij = sqrt(s_i s_j)`` with ``s`` the markhor suitability per km2 (PUs in C order of
    the finite-cost cells, as :meth:`scp.PlanningData.from_xarray` numbers them)."""
    mask = np.isfinite(ds["cost"].values)
    area = ds["area"].values
    suit = np.divide(ds["bukhara_markhor"].values, area, out=np.zeros_like(area), where=area > 0)
    index = np.full(mask.shape, -1, np.int64)
    n = int(mask.sum())
    index[mask] = np.arange(n)
    pairs = []
    for a, b in ((index[:, :-1], index[:, 1:]), (index[:-1, :], index[1:, :])):
        keep = (a >= 0) & (b >= 0)
        pairs.append((a[keep], b[keep]))
    i = np.concatenate([p[0] for p in pairs])
    j = np.concatenate([p[1] for p in pairs])
    s = suit[mask]
    w = np.sqrt(s[i] * s[j])
    m = sp.coo_matrix((w, (i, j)), shape=(n, n)).tocsr()
    return (m + m.T).tocsr()


def write(folder: str, resolution_km: float = 1.0) -> dict[str, str]:
    """Write ``koytendag_<res>.nc`` and ``markhor_connectivity_<res>.npz``; returns paths and digests."""
    import os

    os.makedirs(folder, exist_ok=True)
    tag = f"{int(resolution_km * 1000)}m" if resolution_km < 1 else f"{resolution_km:g}km"
    ds = generate(resolution_km)
    ds.attrs["generator_digest"] = generator_digest()
    nc = os.path.join(folder, f"koytendag_{tag}.nc")
    npz = os.path.join(folder, f"markhor_connectivity_{tag}.npz")
    ds.to_netcdf(nc + ".tmp", engine="scipy")
    os.replace(nc + ".tmp", nc)
    with open(npz + ".tmp", "wb") as fh:
        sp.save_npz(fh, markhor_connectivity(ds))
    os.replace(npz + ".tmp", npz)
    places = os.path.join(folder, "places.csv")
    with open(places + ".tmp", "w", encoding="utf-8") as fh:
        fh.write("name,x,y\n")
        for name, (la, lo) in PLACES.items():
            x, y = to_xy(la, lo)
            fh.write(f"{name},{float(x):.1f},{float(y):.1f}\n")
    os.replace(places + ".tmp", places)
    return {"netcdf": nc, "connectivity": npz, "places": places, "digest": digest(ds)}


def generator_digest() -> str:
    """SHA-256 of this generator's source: files written by another version are regenerated."""
    import hashlib

    with open(__file__, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


DIGEST_DECIMALS = 6


def digest(ds: xr.Dataset) -> str:
    """SHA-256 of every layer's values and the coordinates, stable across platforms and
    library versions: floating-point values are rounded to ``DIGEST_DECIMALS`` (6) decimal
    places, NaN is written as one fixed value, and every array is hashed as little-endian
    64-bit numbers (floats) or integers, so the last-bit differences between maths libraries
    (e.g. in ``exp`` or ``sin``) do not change the digest."""
    h = hashlib.sha256()
    for k in sorted(map(str, ds.variables)):
        v = np.asarray(ds[k].values)
        h.update(k.encode())
        h.update(str(v.shape).encode())
        if v.dtype.kind == "f":
            r = np.round(v.astype(np.float64), DIGEST_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
            r[np.isnan(r)] = -9.0e99
            h.update(r.astype("<f8").tobytes())
        else:
            h.update(v.astype("<i8").tobytes())
    return h.hexdigest()
