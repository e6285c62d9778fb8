/* depmap web map: the LSOA choropleth, its chooser and legend, footprint outlines,
 * popups with an area's profile, search, and a focused area with its hotspots.
 *
 * Three modes, one code: "tiles" (served by the depmap API: vector tiles and JSON
 * endpoints), "inline" (one self-contained file: every feature inlined as GeoJSON,
 * no server) and "static" (a static site: tiles from PMTiles archives, popups from the
 * tiles' attributes; depmap-static.js). Started by the Folium page: depmap.start(map,
 * config).
 */
(function () {
  "use strict";

  // ColorBrewer RdYlBu, 10 classes: decile 1 (most deprived / worst 10%) is dark red.
  var COLOURS = ["#a50026", "#d73027", "#f46d43", "#fdae61", "#fee090",
                 "#e0f3f8", "#abd9e9", "#74add1", "#4575b4", "#313695"];
  var NO_DATA = "#bdbdbd";
  // ColorBrewer RdBu, 7 classes, red to blue: change layers are red where things got worse
  var DIVERGING = ["#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac"];
  var N_LSOA = 33755;

  // Leaflet 1.8 removed L.DomEvent.fakeStop, which Leaflet.VectorGrid 1.3 still calls
  // when an interactive canvas tile is clicked.
  if (window.L && L.DomEvent && !L.DomEvent.fakeStop) {
    L.DomEvent.fakeStop = function () { return true; };
  }

  /* names come from loaded files and from people who post areas: escape them in HTML */
  function esc(v) {
    return String(v === null || v === undefined ? "" : v)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { e.textContent = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) {
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }

  function fmt(v, digits) {
    if (v === null || v === undefined || (typeof v === "number" && !isFinite(v))) return "–";
    if (typeof v !== "number") return String(v);
    return v.toLocaleString("en-GB", {
      minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0
    });
  }

  function pct(v) { return v === null || v === undefined ? "–" : fmt(100 * v, 1) + "%"; }

  function colour(d) {
    return d >= 1 && d <= 10 ? COLOURS[Math.round(d) - 1] : NO_DATA;
  }

  /* a change layer's classes, most negative first, and their colours (worse = red) */
  function changeColours(ind) {
    return ind.better === "lower" ? DIVERGING.slice().reverse() : DIVERGING;
  }

  function changeColour(ind, v) {
    if (v === null || v === undefined || !isFinite(v)) return NO_DATA;
    var k = 0;
    while (k < ind.breaks.length && v > ind.breaks[k]) k++;
    return changeColours(ind)[k];
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(url + ": HTTP " + r.status);
      return r.json();
    });
  }

  var App = function (map, cfg) {
    this.map = map;
    this.cfg = cfg;
    this.indicators = cfg.indicators;
    this.current = cfg.indicators[0];
    this.api = cfg.api || "";
    map.getContainer().classList.add("depmap");
    map.createPane("choropleth").style.zIndex = 350;
    map.createPane("outlines").style.zIndex = 420;
    map.createPane("hotspots").style.zIndex = 440;
    map.getPane("outlines").style.pointerEvents = "none";
    map.getPane("hotspots").style.pointerEvents = "none";
    this.baseLayers();
    this.choropleth();
    this.outlines();
    this.layerControl();
    this.chooser();
    this.legend();
    if (cfg.mode !== "static") this.search();  // a static site has no API to search
    if (cfg.focus) this.focus(cfg.focus);
    window.depmapApp = this;
  };

  /* --- base maps: plain (offline) always, OpenStreetMap when it answers --- */
  App.prototype.baseLayers = function () {
    var self = this;
    this.plain = L.layerGroup().addTo(this.map);
    this.bases = { "Plain background (offline)": this.plain };
    if (!this.cfg.osm) return;
    var osm = L.tileLayer(this.cfg.osm, {
      maxZoom: 19,
      attribution: "&copy; OpenStreetMap contributors"
    });
    this.bases["OpenStreetMap (online)"] = osm;
    var probe = new Image();
    probe.onload = function () {
      self.map.removeLayer(self.plain);
      osm.addTo(self.map);
      self.map.getContainer().classList.add("depmap-online");
    };
    probe.src = this.cfg.osm.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0")
      .replace("{y}", "0");
  };

  /* --- the LSOA choropleth --- */
  App.prototype.styleFor = function (props, zoom) {
    var v = props[this.current.key];
    var ind = this.current;
    return {
      fill: true,
      fillColor: ind.kind === "change" ? changeColour(ind, v) : colour(v),
      fillOpacity: 0.78,
      stroke: !!props.code && zoom >= 11,
      color: "#ffffff",
      weight: 0.4,
      opacity: 0.7
    };
  };

  App.prototype.choropleth = function () {
    var self = this;
    if (this.cfg.mode === "inline") {
      var keys = this.cfg.choropleth_keys || [];
      this.cfg.lsoas.features.forEach(function (f) {  // deciles and changes come as a list
        var p = f.properties;
        keys.forEach(function (k, i) { p[k] = p.d ? p.d[i] : null; });
      });
      this.lsoaLayer = L.geoJSON(this.cfg.lsoas, {
        pane: "choropleth",
        style: function (f) { return self.styleFor(f.properties, 12); },
        onEachFeature: function (f, layer) {
          layer.on("click", function (e) { self.showProfile(f.properties, e.latlng); });
        }
      });
      this.byCode = {};
      this.lsoaLayer.eachLayer(function (l) { self.byCode[l.feature.properties.code] = l; });
    } else {
      this.lsoaLayer = this.vectorLayer("lsoa21", {
        pane: "choropleth",
        rendererFactory: L.canvas.tile,
        interactive: true,
        maxNativeZoom: this.cfg.maxzoom,
        getFeatureId: function (f) { return f.properties.code; },
        vectorTileLayerStyles: {
          lsoa21: function (props, zoom) { return self.styleFor(props, zoom); }
        }
      });
      this.lsoaLayer.on("click", function (e) {
        self.showProfile(e.layer.properties, e.latlng);
      });
      this.lsoaLayer.on("load", function () {
        self.map.getContainer().setAttribute("data-tiles-loaded", "1");
      });
    }
    this.lsoaLayer.addTo(this.map);
  };

  /* a layer of vector tiles: from the API's tile URLs, or a static site's archive */
  App.prototype.vectorLayer = function (layer, options) {
    if (this.cfg.mode === "static") return window.depmapStatic.layer(this.cfg, layer, options);
    return L.vectorGrid.protobuf(this.cfg.tiles[layer], options);
  };

  App.prototype.restyle = function () {
    var self = this;
    if (this.cfg.mode === "inline") {
      this.lsoaLayer.setStyle(function (f) { return self.styleFor(f.properties, 12); });
    } else {
      this.lsoaLayer.redraw();
    }
    this.updateLegend();
  };

  /* --- outlines of footprints --- */
  var OUTLINE_STYLES = {
    ltla: { color: "#555555", weight: 0.8, opacity: 0.9 },
    icb: { color: "#111111", weight: 2.4, opacity: 0.95 },
    sicbl: { color: "#6a3d9a", weight: 1.6, opacity: 0.9, dashArray: "5 4" },
    pcn: { color: "#00665e", weight: 1.3, opacity: 0.95 },
    programme: { color: "#e7298a", weight: 2.2, opacity: 1 }
  };

  App.prototype.outlines = function () {
    var self = this;
    this.overlays = { "LSOA deprivation (choropleth)": this.lsoaLayer };
    var names = this.cfg.outlines;  // [[layer, label, shownAtStart], ...]
    names.forEach(function (o) {
      var layer = o[0], label = o[1], on = o[2];
      var style = L.extend({ fill: false, interactive: false }, OUTLINE_STYLES[layer]);
      var lyr;
      if (self.cfg.mode === "inline") {
        var fc = self.cfg.footprints[layer];
        if (!fc || !fc.features.length) return;
        lyr = L.geoJSON(fc, { pane: "outlines", style: function () { return style; },
                              interactive: false });
      } else if (self.cfg.mode === "static" && !self.cfg.archives[layer]) {
        return;  // the site has no tiles of this layer
      } else {
        var styles = {};
        // thinner lines when zoomed out, so that outlines do not hide the choropleth
        styles[layer] = function (props, zoom) {
          var k = zoom < 7 ? 0.45 : zoom < 9 ? 0.7 : 1;
          return L.extend({}, style, { weight: style.weight * k });
        };
        lyr = self.vectorLayer(layer, {
          pane: "outlines",
          rendererFactory: L.canvas.tile,
          interactive: false,
          maxNativeZoom: self.cfg.maxzoom,
          vectorTileLayerStyles: styles
        });
      }
      var sample = "<span class='depmap-line' style='border-top:" +
        Math.max(1.5, style.weight) + "px " + (style.dashArray ? "dashed " : "solid ") +
        style.color + "'></span>";
      self.overlays[sample + label] = lyr;
      if (on) lyr.addTo(self.map);
    });
  };

  App.prototype.layerControl = function () {
    this.control = L.control.layers(this.bases, this.overlays, {
      collapsed: false, position: "topright"
    }).addTo(this.map);
    // PCNs are derived from GP registrations: say which ICBs the loaded ones cover
    if (this.cfg.pcn_note) {
      this.control.getContainer().appendChild(el("div", {
        "class": "depmap-pcn-note", id: "depmap-pcn-note", text: this.cfg.pcn_note
      }));
    }
  };

  /* --- the chooser of what the choropleth shows --- */
  App.prototype.chooser = function () {
    var self = this;
    var ctl = L.control({ position: "topright" });
    ctl.onAdd = function () {
      var box = el("div", { "class": "depmap-box depmap-chooser" });
      box.appendChild(el("label", { "for": "depmap-indicator", text: "Colour LSOAs by" }));
      var sel = el("select", { id: "depmap-indicator" });
      var groups = {};
      self.indicators.forEach(function (ind, i) {
        if (!groups[ind.group]) {
          groups[ind.group] = el("optgroup", { label: ind.group });
          sel.appendChild(groups[ind.group]);
        }
        groups[ind.group].appendChild(el("option", { value: String(i), text: ind.label }));
      });
      sel.addEventListener("change", function () {
        self.current = self.indicators[Number(sel.value)];
        self.restyle();
      });
      box.appendChild(sel);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    ctl.addTo(this.map);
  };

  /* --- legend --- */
  App.prototype.legend = function () {
    var self = this;
    var ctl = L.control({ position: "bottomright" });
    ctl.onAdd = function () {
      self.legendBox = el("div", { "class": "depmap-box depmap-legend", id: "depmap-legend" });
      self.updateLegend();
      return self.legendBox;
    };
    ctl.addTo(this.map);
  };

  App.prototype.updateLegend = function () {
    var box = this.legendBox, ind = this.current;
    if (!box) return;
    box.innerHTML = "";
    box.appendChild(el("div", { "class": "depmap-legend-title", text: ind.label }));
    box.appendChild(el("div", { "class": "depmap-legend-note", text: ind.note }));
    if (ind.kind === "change") {
      this.changeLegend(box, ind);
    } else {
      this.decileLegend(box, ind);
    }
    box.appendChild(el("div", { "class": "depmap-legend-row" }, [
      el("span", { "class": "depmap-swatch", style: "background:" + NO_DATA }),
      el("span", { "class": "depmap-legend-label", text: "no data" })
    ]));
    if (this.cfg.focus) {
      box.appendChild(el("div", { "class": "depmap-legend-row" }, [
        el("span", { "class": "depmap-swatch depmap-swatch-hot" }),
        el("span", { "class": "depmap-legend-label", text: "Cluster of high deprivation",
                     title: HOTSPOT_METHOD })
      ]));
    }
  };

  App.prototype.changeLegend = function (box, ind) {
    var cols = changeColours(ind), b = ind.breaks;
    var n = function (v) { return (v > 0 ? "+" : "") + fmt(v, v % 1 ? 1 : 0); };
    for (var k = cols.length - 1; k >= 0; k--) {  // most positive first
      var label = k === 0 ? "below " + n(b[0]) : k === cols.length - 1
        ? "above " + n(b[b.length - 1]) : n(b[k - 1]) + " to " + n(b[k]);
      var good = (ind.better === "lower") === (k < 3);
      if (k !== 3) label += good ? " (better)" : " (worse)";
      box.appendChild(el("div", { "class": "depmap-legend-row depmap-change-row" }, [
        el("span", { "class": "depmap-swatch", style: "background:" + cols[k] }),
        el("span", { "class": "depmap-legend-label", text: label })
      ]));
    }
  };

  App.prototype.decileLegend = function (box, ind) {
    for (var d = 1; d <= 10; d++) {
      var label = d === 1 ? ind.worst : d === 10 ? ind.best : "";
      box.appendChild(el("div", { "class": "depmap-legend-row" }, [
        el("span", { "class": "depmap-swatch", style: "background:" + COLOURS[d - 1] }),
        el("span", { "class": "depmap-legend-decile", text: String(d) }),
        el("span", { "class": "depmap-legend-label", text: label })
      ]));
    }
  };

  /* --- popups: an LSOA's profile --- */
  App.prototype.profileFromApi = function (props) {
    var api = this.api, code = encodeURIComponent(props.code);
    var q = "?area_kind=lsoa21";
    return Promise.all([
      getJSON(api + "/areas/" + code + "/deprivation" + q),
      getJSON(api + "/areas/" + code + "/overlaps" + q + "&kind=icb"),
      getJSON(api + "/areas/" + code + "/overlaps" + q + "&kind=sicbl"),
      getJSON(api + "/areas/" + code + "/overlaps" + q + "&kind=pcn"),
      getJSON(api + "/areas/" + code + "/change" + q).catch(function () { return null; })
    ]).then(function (r) {
      var dep = r[0];
      var decile = null;
      (dep.deciles || []).forEach(function (d) { if (d.share > 0.5) decile = d.decile; });
      var health = {};
      (dep.health || []).forEach(function (h) { health[h.code] = h.value; });
      var pick = function (o) {
        return o.overlaps.map(function (x) {
          return { code: x.code, name: x.name, share: x.share_of_population };
        });
      };
      return {
        code: dep.area.code,
        name: dep.area.name,
        population: dep.population,
        imd_score: dep.average_score,
        imd_rank: dep.average_rank === null ? null : N_LSOA + 1 - dep.average_rank,
        imd_decile: decile,
        extent: dep.extent,
        local_concentration: dep.local_concentration,
        health: health,
        icb: pick(r[1]),
        sicbl: pick(r[2]),
        pcn: pick(r[3]),
        pcn_note: r[3].note,
        series: r[4] ? r[4].changes.map(function (c) {
          return {
            short: c.short, unit: c.unit, better: c.better, change: c.change,
            england: c.england.change,
            points: c.points.map(function (p) { return [p.year, p.value]; })
          };
        }) : null
      };
    });
  };

  App.prototype.showProfile = function (props, latlng) {
    var self = this;
    if (!props.code) {
      L.popup({ maxWidth: 260 }).setLatLng(latlng).setContent(
        "<div class='depmap-popup'><b>" + fmt(props.lsoas) + " small neighbourhoods</b>" +
        " are pooled here at this zoom (population-weighted deciles). " +
        "Zoom in to see each LSOA.</div>").openOn(this.map);
      return;
    }
    var popup = L.popup({ maxWidth: 360, minWidth: 300, className: "depmap-popup-wrap" })
      .setLatLng(latlng)
      .setContent("<div class='depmap-popup'><b>" + esc(props.code) + "</b><br>Loading…</div>")
      .openOn(this.map);
    var got = this.cfg.mode === "inline"
      ? Promise.resolve(this.inlineProfile(props))
      : this.cfg.mode === "static" ? window.depmapStatic.profile(this, props, latlng)
        : this.profileFromApi(props);
    got.then(function (p) {
      popup.setContent(self.popupHtml(props, p));
    }).catch(function (err) {
      popup.setContent("<div class='depmap-popup'><b>" + esc(props.code) + "</b><br>" +
                       "Could not load the profile (" + esc(err.message) + ").</div>");
    });
  };

  App.prototype.inlineProfile = function (props) {
    var names = this.cfg.names || {};
    var p = props.profile;
    var out = L.extend({ code: props.code, name: props.name }, p);
    ["icb", "sicbl", "pcn"].forEach(function (k) {
      out[k] = (p[k] || []).map(function (x) {
        return { code: x[0], name: names[x[0]] || x[0], share: x[1] };
      });
    });
    var eng = this.cfg.england_changes || {};
    out.series = (p.series || []).map(function (s) {
      return L.extend({}, s, { england: eng[s.code] === undefined ? null : eng[s.code] });
    });
    return out;
  };

  App.prototype.popupHtml = function (props, p) {
    var rows = [];
    var row = function (k, v, cls) {
      rows.push("<tr" + (cls ? " class='" + cls + "'" : "") + "><th>" + k + "</th><td>" +
                v + "</td></tr>");
    };
    var dec = function (d, field) {
      var attr = field ? " data-field='" + field + "'" : "";
      if (!d) return "<span" + attr + ">–</span>";
      var light = d >= 4 && d <= 7;  // dark text on the pale middle classes
      return "<span class='depmap-dec" + (light ? " depmap-dec-light" : "") +
             "' style='background:" + colour(d) + "'" + attr + ">" + d + "</span>";
    };
    row("IMD 2025 score", "<span data-field='imd_score'>" + fmt(p.imd_score, 2) + "</span>");
    row("IMD 2025 rank", "<span data-field='imd_rank'>" + fmt(p.imd_rank) + "</span> of " +
        fmt(N_LSOA) + " (1 = most deprived)");
    row("IMD 2025 decile", dec(p.imd_decile, "imd_decile") +
        " <span class='depmap-note'>of 10 (1 = most deprived)</span>");
    row("Population (Census 2021)", "<span data-field='population'>" + fmt(p.population) +
        "</span>");
    var domainRows = this.indicators.filter(function (i) {
      return i.group === "IoD 2025 domains" && i.key !== "imd_decile";
    });
    rows.push("<tr class='depmap-sub'><th colspan='2'>Domain deciles (1 = most deprived 10%)" +
              "</th></tr>");
    rows.push("<tr><td colspan='2' class='depmap-domains'>" + domainRows.map(function (i) {
      return "<span title='" + i.label + "'>" + i.short + " " + dec(props[i.key]) + "</span>";
    }).join(" ") + "</td></tr>");
    rows.push("<tr class='depmap-sub'><th colspan='2'>Health</th></tr>");
    var health = this.indicators.filter(function (i) { return i.group === "Health"; });
    health.forEach(function (i) {
      if (!i.value) return;
      var v = p.health ? p.health[i.value] : null;
      var digits = i.value === "disability_rate" ? 3 : (i.value.indexOf("hle") === 0 ? 1 : 2);
      var shown = i.value === "disability_rate" && v !== null && v !== undefined
        ? pct(v) : fmt(v, digits);
      row(i.short, "<span data-field='" + i.value + "'>" + shown + "</span> " +
          dec(props[i.key]));
    });
    if (p.nhs === false) {  // static sites: the NHS footprints are the outlines
      return this.popupWrap(props, p, rows);
    }
    rows.push("<tr class='depmap-sub'><th colspan='2'>NHS</th></tr>");
    var names = function (list, field) {
      if (!list || !list.length) return "<span data-field='" + field + "'>–</span>";
      return "<span data-field='" + field + "'>" + list.slice(0, 3).map(function (x) {
        return esc(x.name) + (x.share < 0.995 ? " (" + pct(x.share) + ")" : "");
      }).join("; ") + "</span>";
    };
    row("ICB", names(p.icb, "icb"));
    row("Sub-ICB", names(p.sicbl, "sicbl"));
    // PCNs only where the loaded GP registrations account for enough of the residents
    row("PCN", p.pcn && p.pcn.length ? names(p.pcn, "pcn")
        : "<span data-field='pcn'>none listed</span><div class='depmap-note' " +
          "data-field='pcn_note'>" + esc(p.pcn_note || this.cfg.pcn_note || "") + "</div>");
    if (p.series && p.series.length) {
      rows.push("<tr class='depmap-sub'><th colspan='2'>Change over time " +
                "<span class='depmap-code'>(England's change)</span></th></tr>");
      p.series.forEach(function (s) {
        var share = s.unit.charAt(0) === "%";
        var val = function (v) { return v === null ? "–" : fmt(v, 1) + (share ? "%" : ""); };
        var first = s.points[0], last = s.points[s.points.length - 1];
        var ch = s.change === null ? "" : (s.change > 0 ? "+" : "") + fmt(s.change, 1);
        var eng = s.england === null ? "" : (s.england > 0 ? "+" : "") + fmt(s.england, 1);
        var worse = s.change !== null && s.change !== 0 &&
          ((s.better === "lower") === (s.change > 0));
        row(esc(s.short), first[0] + " " + val(first[1]) + " → " + last[0] + " " +
            val(last[1]) + " <b class='" + (worse ? "depmap-worse" : "depmap-better") +
            "'>" + ch + "</b> (" + eng + ")", "depmap-series");
      });
    }
    return this.popupWrap(props, p, rows);
  };

  App.prototype.popupWrap = function (props, p, rows) {
    return "<div class='depmap-popup' data-code='" + esc(p.code) + "'>" +
      "<div class='depmap-popup-title'><b data-field='name'>" + esc(p.name || props.name || "") +
      "</b> <span class='depmap-code' data-field='code'>" + esc(p.code) + "</span></div>" +
      "<table>" + rows.join("") +
      "</table></div>";
  };

  /* --- search by code or name --- */
  App.prototype.search = function () {
    var self = this;
    var ctl = L.control({ position: "topleft" });
    ctl.onAdd = function () {
      var box = el("div", { "class": "depmap-box depmap-search" });
      var input = el("input", {
        type: "search", id: "depmap-search", placeholder: "Search an area: code or name",
        autocomplete: "off", "aria-label": "Search an area by code or name"
      });
      var list = el("ul", { "class": "depmap-results", id: "depmap-results" });
      box.appendChild(input);
      box.appendChild(list);
      var timer = null;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { self.runSearch(input.value.trim(), list); }, 200);
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    ctl.addTo(this.map);
  };

  // kinds the map's search lists (the service orders them: exact names, then larger areas)
  var SEARCH_KINDS = ["icb", "sicbl", "ltla", "pcn", "programme", "ward", "msoa21", "lsoa21"];
  var KIND_LABELS = {  // short, for search results
    lsoa21: "LSOA", msoa21: "MSOA", ward: "ward", ltla: "local authority",
    sicbl: "sub-ICB", icb: "ICB", pcn: "PCN", programme: "programme area",
    custom: "custom area", lsoa11: "2011 LSOA"
  };
  var HOTSPOT_METHOD = "Neighbourhoods (LSOAs) whose surroundings are more deprived than " +
    "chance would give: Getis-Ord Gi* hot spots of the IMD 2025 score over neighbouring " +
    "LSOAs inside the area, permutation p-value at most 0.05.";

  App.prototype.runSearch = function (q, list) {
    var self = this;
    list.innerHTML = "";
    if (q.length < 2) return;
    var found;
    if (this.cfg.mode === "inline") {
      var ql = q.toLowerCase();
      found = Promise.resolve(this.cfg.lsoas.features.filter(function (f) {
        return f.properties.code.toLowerCase().indexOf(ql) === 0 ||
               (f.properties.name || "").toLowerCase().indexOf(ql) >= 0;
      }).slice(0, 8).map(function (f) {
        return { code: f.properties.code, name: f.properties.name, kind: "lsoa21" };
      }));
    } else {
      // one query: the service lists an exact name or code first, then larger areas
      // before smaller ones ("Halton" finds the local authority before its many LSOAs);
      // other kinds (2011 LSOAs) are left out
      found = getJSON(this.api + "/areas?limit=20&q=" + encodeURIComponent(q))
        .then(function (r) {
          return r.areas.filter(function (a) {
            return SEARCH_KINDS.indexOf(a.kind) >= 0;
          }).slice(0, 10);
        })
        .catch(function () { return []; });
    }
    found.then(function (areas) {
      list.innerHTML = "";
      if (!areas.length) list.appendChild(el("li", { "class": "depmap-none", text: "no match" }));
      areas.forEach(function (a) {
        var li = el("li", { tabindex: "0", "data-code": a.code }, [
          el("b", { text: a.name }), " ",
          el("span", { "class": "depmap-code", text: KIND_LABELS[a.kind] + " " + a.code })
        ]);
        var go = function () { list.innerHTML = ""; self.goTo(a); };
        li.addEventListener("click", go);
        li.addEventListener("keydown", function (e) { if (e.key === "Enter") go(); });
        list.appendChild(li);
      });
    });
  };

  App.prototype.goTo = function (a) {
    var self = this;
    if (this.cfg.mode === "inline") {
      var l = this.byCode[a.code];
      this.map.fitBounds(l.getBounds(), { maxZoom: 15 });
      this.showProfile(l.feature.properties, l.getBounds().getCenter());
      return;
    }
    getJSON(this.api + "/areas/" + encodeURIComponent(a.code) + "?area_kind=" + a.kind)
      .then(function (d) {
        var b = d.bbox;
        self.map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { maxZoom: 15 });
        if (a.kind === "lsoa21") {
          self.showProfile({ code: a.code, name: a.name }, L.latLng(d.point[1], d.point[0]));
        }
        return getJSON(self.api + "/areas/" + encodeURIComponent(a.code) + "?format=geojson" +
                       "&area_kind=" + a.kind);
      })
      .then(function (fc) {  // outline what was found until the next search
        if (self.found) self.map.removeLayer(self.found);
        self.found = L.geoJSON(fc, {
          pane: "hotspots", interactive: false,
          style: function () {
            return { color: "#ff00aa", weight: 3, fill: false, dashArray: "6 4" };
          }
        }).addTo(self.map);
      })
      .catch(function () { /* the map has moved; the outline is a nicety */ });
  };

  /* --- a focused area and its hotspots --- */
  App.prototype.focus = function (f) {
    var self = this;
    var outline = L.geoJSON(f.outline, {
      pane: "outlines", interactive: false,
      style: function () { return { color: "#000", weight: 3.5, fill: false, opacity: 1 }; }
    }).addTo(this.map);
    var label = "<span class='depmap-line' style='border-top:3.5px solid #000'></span>" +
      esc(f.name);
    this.overlays[label] = outline;
    this.control.addOverlay(outline, label);
    var b = f.bbox;
    this.map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    var info = L.control({ position: "bottomleft" });
    info.onAdd = function () {
      self.infoBox = el("div", { "class": "depmap-box depmap-info", id: "depmap-info" });
      self.infoBox.appendChild(el("div", { "class": "depmap-legend-title", text: f.name }));
      var s = f.summary || {};
      // plain words; the statistical definition in a tooltip
      var kind = (self.cfg.kinds || {})[f.kind] || { plural: f.kind, ranked: false };
      var lines = [
        ["Average deprivation score", fmt(s.average_score, 2),
         "IMD 2025 score of its neighbourhoods (LSOAs), weighted by their residents"],
        ["People in deprived neighbourhoods", pct(s.extent),
         "IoD 'extent': residents in the most deprived 10% of England's LSOAs, and part " +
         "of those in the next 20%"],
        ["Neighbourhoods in England's most deprived 10%", pct(s.proportion_most_deprived_10),
         "Share of its LSOAs in the most deprived 10% nationally (IMD 2025)"],
        ["Population", fmt(s.population), "Census 2021 residents (PCNs: registered patients)"]
      ];
      if (kind.ranked) {
        lines.splice(1, 0, ["Rank among " + kind.plural,
                            s.rank ? fmt(s.rank) + " of " + fmt(s.of) : "–",
                            "By average score; 1 = most deprived"]);
      }
      var t = el("table");
      lines.forEach(function (l) {
        t.appendChild(el("tr", { title: l[2] },
                         [el("th", { text: l[0] }), el("td", { text: l[1] })]));
      });
      self.infoBox.appendChild(t);
      self.hotLine = el("div", { "class": "depmap-hot", id: "depmap-hot-summary",
                                 title: HOTSPOT_METHOD,
                                 text: "Clusters of high deprivation: computing…" });
      self.infoBox.appendChild(self.hotLine);
      self.evaluationChart(f);
      return self.infoBox;
    };
    info.addTo(this.map);
    var hot = f.hotspots ? Promise.resolve(f.hotspots)
      : getJSON(this.api + "/areas/" + encodeURIComponent(f.code) + "/hotspots?format=geojson");
    hot.then(function (fc) { self.showHotspots(fc); }).catch(function (err) {
      self.hotLine.textContent = "Clusters of high deprivation: not available (" +
        err.message + ")";
    });
  };

  /* a programme area's view: its programme's evaluation chart (change against matched
   * neighbourhoods, England and 25 similar local authorities) */
  var CHART_SERIES = ["households_deprived_any", "general_health_very_good",
                      "general_health_bad"];

  App.prototype.evaluationChart = function (f) {
    var src = f.evaluation_chart;
    if (!src && f.programme_slug && this.cfg.mode !== "inline") {
      src = this.api + "/programmes/" + encodeURIComponent(f.programme_slug) +
        "/evaluation?format=svg&" + CHART_SERIES.map(function (s) {
          return "indicator=" + s;
        }).join("&");
    }
    if (!src) return;
    var box = el("details", { "class": "depmap-evaluation", id: "depmap-evaluation" });
    box.appendChild(el("summary", { text: "Programme evaluation: " + (f.programme || "") }));
    var link = el("a", { href: src, target: "_blank", rel: "noopener",
                         title: "Open the chart at full size" });
    link.appendChild(el("img", {
      "class": "depmap-chart", src: src, id: "depmap-evaluation-chart",
      alt: "Change in the programme's areas against matched neighbourhoods, England " +
           "and 25 similar local authorities, with 95% intervals"
    }));
    box.appendChild(link);
    this.infoBox.appendChild(box);
  };

  App.prototype.showHotspots = function (fc) {
    if (fc.codes) {  // inline maps name their hotspots among the inlined LSOAs
      var wanted = {};
      fc.codes.forEach(function (c) { wanted[c] = true; });
      fc = { type: "FeatureCollection", features: this.cfg.lsoas.features.filter(function (f) {
        return wanted[f.properties.code];
      }).map(function (f) {
        return { type: "Feature", geometry: f.geometry,
                 properties: { code: f.properties.code, cluster: "hot",
                               population: f.properties.profile.population } };
      }) };
    }
    var hot = fc.features.filter(function (f) { return f.properties.cluster === "hot"; });
    var map = this.map;
    var hotStyle = function () {  // thinner when zoomed out, where LSOAs are small
      var z = map.getZoom();
      return { color: "#00e5ff", weight: z < 10 ? 0.8 : z < 12 ? 1.3 : 2, opacity: 1,
               fill: false, className: "depmap-hotspot" };
    };
    var layer = L.geoJSON({ type: "FeatureCollection", features: hot }, {
      pane: "hotspots",
      interactive: false,
      style: hotStyle
    }).addTo(this.map);
    map.on("zoomend", function () { layer.setStyle(hotStyle); });
    this.control.addOverlay(
      layer, "<span class='depmap-line' style='border-top:2px solid #00e5ff'></span>" +
      "<span title='" + esc(HOTSPOT_METHOD) + "'>Clusters of high deprivation</span>");
    var people = hot.reduce(function (a, f) { return a + (f.properties.population || 0); }, 0);
    this.hotLine.setAttribute("data-hotspots", String(hot.length));
    this.hotLine.innerHTML = "<span class='depmap-swatch depmap-swatch-hot'></span> <b>" +
      hot.length + "</b> neighbourhoods (LSOAs) in clusters of high deprivation, " +
      fmt(people) + " people";
    this.map.getContainer().setAttribute("data-hotspots", String(hot.length));
  };

  window.depmap = {
    start: function (map, cfg) { return new App(map, cfg); },
    colours: COLOURS
  };
})();
