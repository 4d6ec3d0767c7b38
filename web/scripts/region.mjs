// Cut the Natural Earth 1:50m countries (package world-atlas) down to the
// mission's region, so that the map ships ~100 KB instead of ~750 KB.
// Writes src/region.json, a TopoJSON of the countries whose bounding box
// meets the box below (the Levant, Iraq, Iran, Arabia, Türkiye).
import { readFileSync, writeFileSync } from 'node:fs';
import { feature } from 'topojson-client';

const BOX = [30, 22, 56, 42]; // west, south, east, north (degrees)
const world = JSON.parse(readFileSync(new URL('../node_modules/world-atlas/countries-50m.json', import.meta.url)));
const all = feature(world, world.objects.countries).features;

function bbox(geom) {
  let w = 180, s = 90, e = -180, n = -90;
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      w = Math.min(w, c[0]); e = Math.max(e, c[0]);
      s = Math.min(s, c[1]); n = Math.max(n, c[1]);
    } else c.forEach(walk);
  };
  walk(geom.coordinates);
  return [w, s, e, n];
}

const keep = all.filter((f) => {
  if (!f.geometry) return false;
  const [w, s, e, n] = bbox(f.geometry);
  return e >= BOX[0] && w <= BOX[2] && n >= BOX[1] && s <= BOX[3] && e - w < 60;
});
const round = (c) => typeof c[0] === 'number'
  ? [Math.round(c[0] * 100) / 100, Math.round(c[1] * 100) / 100]
  : c.map(round);
const out = {
  type: 'FeatureCollection',
  source: 'Natural Earth 1:50m via world-atlas ' + JSON.parse(readFileSync(new URL('../node_modules/world-atlas/package.json', import.meta.url))).version,
  features: keep.map((f) => ({
    type: 'Feature', id: f.id, properties: { name: f.properties.name },
    geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) },
  })),
};
writeFileSync(new URL('../src/region.json', import.meta.url), JSON.stringify(out));
console.log(`region.json: ${keep.length} countries: ${keep.map((f) => f.properties.name).join(', ')}`);
