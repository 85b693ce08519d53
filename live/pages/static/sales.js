/*
 * Sales dashboards: the retailers' live board, the producers' sales desk and the suppliers'
 * own sales (live/pages/dashboards.py). The page carries its first figures as JSON; this script
 * draws them, listens on the campaign's hub channel (/ws/campaigns/<id>, overlays/realtime.js)
 * and fetches the figures again on every frame — coalesced to one fetch at a time and at most
 * one every MIN_GAP_MS, so a flash sale's thousand orders a second cost a few requests.
 *
 * The page holds no API token: calls ride the HttpOnly page cookie, writes add the page's CSRF
 * token (live/api/cookies.py). Plain ES2017 for Chromium 127.
 */
(function (root) {
  "use strict";

  var doc = root.document;
  var holder = doc.getElementById("sales-data");
  if (!holder) return;
  var data = JSON.parse(holder.textContent);
  var W = data.words || {};
  var F = root.SieuFormat;
  var urls = data.urls || {};
  var locale = data.lang === "en" ? "en-GB" : "vi-VN";
  var MIN_GAP_MS = 400; // at most ~2.5 fetches a second, whatever the frame rate
  var POLL_MS = 30000; // a lost frame or a quiet queue still shows up within this

  // Words, numbers, times

  function w(key, values) {
    var text = W[key] || key;
    if (values) {
      Object.keys(values).forEach(function (name) {
        text = text.split("{" + name + "}").join(values[name]);
      });
    }
    return text;
  }

  function money(n) {
    return F ? F.money(n) : String(n) + "\u00a0₫";
  }

  function count(n) {
    return F ? F.count(n) : String(n);
  }

  var oneDecimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  var compact = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });

  function timeFormat(options) {
    var opts = { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: data.timezone };
    Object.keys(options || {}).forEach(function (k) {
      opts[k] = options[k];
    });
    try {
      return new Intl.DateTimeFormat(locale, opts);
    } catch (err) {
      delete opts.timeZone;
      return new Intl.DateTimeFormat(locale, opts);
    }
  }
  var clockFormat = timeFormat({ second: "2-digit" });
  var dayTimeFormat = timeFormat({ day: "2-digit", month: "2-digit" });

  function when(iso) {
    // "26/09 19:05" in the campaign's time zone, whatever the locale's own order of parts.
    var ms = F ? F.parseTime(iso) : Date.parse(iso);
    if (ms === null || isNaN(ms)) return "";
    var parts = {};
    dayTimeFormat.formatToParts(new Date(ms)).forEach(function (part) {
      parts[part.type] = part.value;
    });
    return parts.day + "/" + parts.month + " " + parts.hour + ":" + parts.minute;
  }

  function platformName(p) {
    return W["platform_" + p] || p;
  }

  // DOM

  function $(selector, scope) {
    return (scope || doc).querySelector(selector);
  }

  function el(tag, props, children) {
    var node = doc.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      var v = props[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else node.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? doc.createTextNode(child) : child);
    });
    return node;
  }

  function fill(tbody, rows) {
    if (!tbody) return;
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    rows.forEach(function (row) {
      tbody.appendChild(row);
    });
  }

  function show(node, visible) {
    if (node) node.hidden = !visible;
  }

  function setStat(name, text) {
    var node = $('[data-stat="' + name + '"]');
    if (node) node.textContent = text;
  }

  function stars(n) {
    return n ? new Array(n + 1).join("★") : "";
  }

  // The API

  function api(method, path, body) {
    // The page holds no API token: calls ride the HttpOnly cookie, writes carry the page's
    // CSRF token (live/api/cookies.py).
    var headers = { "X-CSRF-Token": data.csrf_token || "", Accept: "application/json" };
    var opts = { method: method, headers: headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (r) {
      if (r.status === 204) return null;
      return r.json().then(function (json) {
        if (!r.ok) {
          var err = new Error((json && json.error && json.error.message) || r.statusText);
          err.status = r.status;
          throw err;
        }
        return json;
      });
    });
  }

  function withQuery(path, params) {
    var query = params.toString();
    if (!query) return path;
    return path + (path.indexOf("?") >= 0 ? "&" : "?") + query;
  }

  function download(path) {
    // Fetched, then handed to the browser as a blob: a failure is shown on the page instead
    // of navigating away to an error.
    return fetch(path, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.statusText);
      var disposition = r.headers.get("Content-Disposition") || "";
      var match = /filename="([^"]+)"/.exec(disposition);
      return r.blob().then(function (blob) {
        var href = URL.createObjectURL(blob);
        var a = el("a", { href: href, download: match ? match[1] : "download" });
        doc.body.appendChild(a);
        a.click();
        doc.body.removeChild(a);
        setTimeout(function () {
          URL.revokeObjectURL(href);
        }, 10000);
      });
    });
  }

  // Filters: the form's values, kept in the address so a reload or a shared link keeps them

  var form = $("[data-filters]");
  var minutes = data.minutes || 15;

  function filterParams() {
    var params = new URLSearchParams();
    if (!form) return params;
    Array.prototype.forEach.call(form.querySelectorAll("select[name]"), function (select) {
      if (select.value) params.set(select.name, select.value);
    });
    return params;
  }

  function keepInAddress() {
    lastUnits = {}; // other filters, other figures: nothing "changed" to highlight
    var params = filterParams();
    var lang = new URLSearchParams(root.location.search).get("lang");
    if (lang) params.set("lang", lang);
    var query = params.toString();
    root.history.replaceState(null, "", root.location.pathname + (query ? "?" + query : ""));
  }

  // The leaderboard and its summary

  var shortlisted = {};
  var lastUnits = {};

  function percentBar(item) {
    var pct = item.stock_sold_percent;
    var label =
      pct === null ? "—" : oneDecimal.format(pct) + "% · " + count(item.net_units) + "/" + count(item.campaign_stock);
    var width = pct === null ? 0 : Math.max(0, Math.min(100, pct));
    return el("div", { class: "bar" }, [
      el("div", { class: "bar-track", "aria-hidden": "true" }, [
        el("div", { class: "bar-fill", style: "width:" + width + "%" }),
      ]),
      el("span", { text: label }),
    ]);
  }

  function speedText(value) {
    return value === null || value === undefined ? "—" : w("sales_per_hour", { n: oneDecimal.format(value) });
  }

  function boardRow(item) {
    var meta = [item.supplier_name, item.province, item.category].filter(Boolean).join(" · ");
    var cells = [
      el("td", { class: "rank num", text: String(item.rank) }),
      el("td", {}, [
        el("div", { class: "product-name", text: item.name }),
        el("div", { class: "product-meta" }, [
          meta,
          item.ocop_stars ? " · " : null,
          item.ocop_stars
            ? el("span", { class: "stars", title: "OCOP " + item.ocop_stars, text: stars(item.ocop_stars) })
            : null,
        ]),
      ]),
      el("td", { class: "num", "data-cell": "net_units", text: count(item.net_units) }),
      el("td", { class: "num", "data-cell": "net_revenue", text: money(item.net_revenue) }),
      el("td", { class: "num", text: count(item.cancelled_units) + " / " + count(item.returned_units) }),
      el("td", { class: "num", text: speedText(item.units_per_hour) }),
      el("td", {}, [percentBar(item)]),
    ];
    if (data.kind === "retail") {
      var on = !!shortlisted[item.product_id];
      cells.push(
        el("td", {}, [
          data.can_shortlist
            ? el("button", {
                type: "button",
                class: "shortlist-add",
                "data-shortlist-add": item.product_id,
                "aria-pressed": on ? "true" : "false",
                text: on ? w("sales_shortlisted") : w("sales_shortlist_add"),
              })
            : null,
        ])
      );
    }
    var changed = item.product_id in lastUnits && lastUnits[item.product_id] !== item.net_units;
    lastUnits[item.product_id] = item.net_units;
    return el("tr", { "data-product": item.product_id, class: changed ? "changed" : null }, cells);
  }

  var board = data.board;

  function renderBoard(next) {
    if (next) board = next;
    if (!board) return;
    fill($("[data-board-rows]"), board.items.map(boardRow));
    show($("[data-board-empty]"), board.items.length === 0);
    var counter = $("[data-board-count]");
    if (counter) counter.textContent = w("sales_board_count", { n: count(board.total) });
    var t = board.totals;
    setStat("net_revenue", money(t.net_revenue));
    setStat("gross_revenue", w("sales_gross", { value: money(t.gross_revenue) }));
    setStat("net_units", count(t.net_units));
    setStat("gross_units", w("sales_gross", { value: count(t.gross_units) }));
    setStat("off_units", count(t.cancelled_units + t.returned_units));
    setStat("off_revenue", money(t.cancelled_revenue + t.returned_revenue));
    setStat("units_per_hour", speedText(t.units_per_hour));
    setStat("hours_on_air", w("sales_hours_on_air", { n: oneDecimal.format(t.hours_on_air) }));
    setStat("products", count(t.products));
  }

  function loadBoard() {
    var params = filterParams();
    params.set("limit", String(data.board_rows || 50));
    return api("GET", withQuery(urls.leaderboard, params)).then(renderBoard);
  }

  // Revenue over time (Chart.js, vendored: static/vendor/chart.umd.js)

  var chart = null;
  var series = data.chart;

  function moneyTick(value) {
    return compact.format(value) + " ₫";
  }

  function renderChart(next) {
    if (next) series = next;
    var canvas = $("[data-chart]");
    if (!canvas || !series || !root.Chart) return;
    var points = series.points;
    show($("[data-chart-empty]"), points.length === 0);
    var labels = points.map(function (p) {
      return p.label;
    });
    var bars = points.map(function (p) {
      return p.revenue;
    });
    var line = points.map(function (p) {
      return p.cumulative_revenue;
    });
    if (chart) {
      chart.data.labels = labels;
      chart.data.datasets[0].data = bars;
      chart.data.datasets[1].data = line;
      chart.update("none");
      return;
    }
    chart = new root.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [
          {
            type: "bar",
            label: w("sales_chart_revenue"),
            data: bars,
            backgroundColor: "#1d5bbf",
            yAxisID: "y",
            order: 2,
          },
          {
            type: "line",
            label: w("sales_chart_cumulative"),
            data: line,
            borderColor: "#c8102e",
            backgroundColor: "#c8102e",
            borderWidth: 2,
            pointRadius: 0,
            tension: 0.2,
            yAxisID: "y2",
            order: 1,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { ticks: { maxRotation: 0, autoSkip: true }, grid: { display: false } },
          y: { beginAtZero: true, ticks: { callback: moneyTick } },
          y2: {
            position: "right",
            beginAtZero: true,
            grid: { drawOnChartArea: false },
            ticks: { callback: moneyTick },
          },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return ctx.dataset.label + ": " + money(ctx.parsed.y);
              },
            },
          },
        },
      },
    });
  }

  function loadChart() {
    var params = filterParams();
    params.delete("sort");
    params.set("minutes", String(minutes));
    return api("GET", withQuery(urls.chart, params)).then(renderChart);
  }

  // The shortlist

  function shortlistRow(item) {
    var cells = [];
    if (data.shortlist_all) cells.push(el("td", { text: item.retailer_name }));
    cells.push(
      el("td", {}, [
        el("div", { class: "product-name", text: item.product_name }),
        el("div", {
          class: "product-meta",
          text: [item.supplier_name, item.province, item.sku].filter(Boolean).join(" · "),
        }),
      ])
    );
    cells.push(el("td", { class: "num", text: count(item.net_units) }));
    cells.push(el("td", { class: "num", text: money(item.net_revenue) }));
    cells.push(el("td", { text: item.note || "" }));
    if (!data.shortlist_all) {
      cells.push(
        el("td", {}, [
          el("button", {
            type: "button",
            class: "remove",
            "data-shortlist-remove": item.product_id,
            title: w("sales_shortlist_remove"),
            "aria-label": w("sales_shortlist_remove") + ": " + item.product_name,
            text: "✕",
          }),
        ])
      );
    }
    return el("tr", { "data-shortlisted": item.product_id }, cells);
  }

  function renderShortlist(items) {
    shortlisted = {};
    items.forEach(function (item) {
      shortlisted[item.product_id] = true;
    });
    fill($("[data-shortlist-rows]"), items.map(shortlistRow));
    show($("[data-shortlist-empty]"), items.length === 0);
  }

  function loadShortlist() {
    if (!data.can_shortlist && !data.shortlist_all) return Promise.resolve();
    return api("GET", urls.shortlist).then(function (answer) {
      renderShortlist(answer.items);
      renderBoard();
    });
  }

  // Producers: sessions, odd orders, queues

  function offRow(r) {
    return count(r.cancelled_units) + " / " + count(r.returned_units);
  }

  function renderSessions(answer) {
    var rows = (answer.sessions || answer).map(function (s) {
      return el("tr", { "data-session": s.session_id }, [
        el("td", {}, [el("strong", { text: s.code }), " · " + s.title]),
        el("td", { text: W["status_" + s.status] || s.status }),
        el("td", { class: "num", text: count(s.orders) }),
        el("td", { class: "num", text: count(s.net_units) }),
        el("td", { class: "num", text: money(s.net_revenue) }),
        el("td", { class: "num", text: offRow(s) }),
        el("td", { class: "num", text: speedText(s.units_per_hour) }),
      ]);
    });
    fill($("[data-sessions-rows]"), rows);
  }

  function orderRow(o) {
    var lines = o.lines.map(function (line) {
      return el("div", { class: "line" }, [
        line.quantity + " × " + (line.product_name || line.sku) + " · " + money(line.unit_price),
        line.oversold ? el("span", { class: "over", text: " (" + w("sales_oversold_mark") + ")" }) : null,
        line.product_id === null ? el("span", { class: "over", text: " (" + w("sales_unmapped_mark") + ")" }) : null,
      ]);
    });
    return el("tr", { "data-order": o.id }, [
      el("td", { text: when(o.ordered_at) }),
      el("td", {}, [el("div", { text: o.platform_order_id }), el("div", { class: "product-meta", text: platformName(o.platform) })]),
      el("td", {}, lines),
      el("td", { class: "num", text: money(o.total) }),
      el("td", { text: w("sales_state_" + o.state) }),
      el("td", { text: [o.live_code, o.channel, o.buyer_province].filter(Boolean).join(" · ") }),
    ]);
  }

  var offsets = { unattributed: 0, unmapped: 0, oversold: 0 };

  function renderOrders(list, answer) {
    var panel = $('[data-orders="' + list + '"]');
    if (!panel || !answer) return;
    fill($("[data-orders-rows]", panel), answer.items.map(orderRow));
    show($("[data-orders-empty]", panel), answer.items.length === 0);
    $("[data-orders-total]", panel).textContent = "(" + count(answer.total) + ")";
    var first = answer.total ? answer.offset + 1 : 0;
    var last = answer.offset + answer.items.length;
    $("[data-page-info]", panel).textContent = w("sales_page_info", {
      first: count(first),
      last: count(last),
      total: count(answer.total),
    });
    $('[data-page="prev"]', panel).disabled = answer.offset <= 0;
    $('[data-page="next"]', panel).disabled = last >= answer.total;
  }

  function loadOrders(list) {
    var params = new URLSearchParams({ limit: String(data.order_rows || 20), offset: String(offsets[list]) });
    return api("GET", withQuery(urls[list], params)).then(function (answer) {
      renderOrders(list, answer);
    });
  }

  function renderQueues(health) {
    if (!health) return;
    var inbox = $("[data-inbox]");
    if (inbox) {
      while (inbox.firstChild) inbox.removeChild(inbox.firstChild);
      [
        ["sales_inbox_depth", count(health.inbox.depth)],
        ["sales_inbox_batches", count(health.inbox.batches_in_flight)],
        ["sales_inbox_oldest", health.inbox.oldest_batch_seconds === null ? "—" : oneDecimal.format(health.inbox.oldest_batch_seconds)],
        ["sales_inbox_stuck", count(health.inbox.stuck_batches)],
        ["sales_inbox_dead", count(health.inbox.dead_events)],
        ["sales_inbox_throttled", count(health.inbox.throttled_requests)],
        ["sales_workers", count(health.workers.length)],
      ].forEach(function (pair) {
        inbox.appendChild(el("dt", { text: w(pair[0]) }));
        inbox.appendChild(el("dd", { text: pair[1] }));
      });
    }
    fill(
      $("[data-queue-rows]"),
      health.queues.map(function (q) {
        return el("tr", { "data-queue": q.name }, [
          el("td", { text: q.name }),
          el("td", { class: "num", text: count(q.depth) }),
          el("td", { class: "num", text: count(q.started) }),
          el("td", { class: "num", text: count(q.scheduled) }),
          el("td", { class: "num" + (q.failed ? " negative" : ""), text: count(q.failed) }),
        ]);
      })
    );
    // A stuck batch says so, and why: its worker gone, or its last attempt's error.
    fill(
      $("[data-batch-rows]"),
      health.inbox.batches.map(function (b) {
        return el("tr", { "data-batch": b.batch, "data-state": b.state }, [
          el("td", { text: b.batch.slice(0, 8) }),
          el("td", { class: "num", text: count(b.events) }),
          el("td", { text: b.worker || "—" }),
          el("td", { class: "num", text: oneDecimal.format(b.claimed_seconds_ago) }),
          el("td", { class: "num", text: count(b.attempts) }),
          el("td", { class: b.state === "applying" ? null : "error", text: w("sales_batch_" + b.state) + (b.why ? " — " + b.why : "") }),
        ]);
      })
    );
    show($("[data-batches]"), health.inbox.batches.length > 0);
    var failed = [];
    health.queues.forEach(function (q) {
      q.failed_jobs.forEach(function (job) {
        failed.push(
          el("tr", { "data-job": job.id }, [
            el("td", { text: job.queue }),
            el("td", { text: job.function }),
            el("td", { class: "error", text: job.error }),
            el("td", { text: when(job.failed_at) }),
            el("td", {}, [
              el("button", { type: "button", class: "secondary", "data-retry": job.id, text: w("sales_retry") }),
            ]),
          ])
        );
      });
    });
    fill($("[data-failed-rows]"), failed);
    show($("[data-failed-empty]"), failed.length === 0);
  }

  function loadQueues() {
    return api("GET", urls.queues).then(renderQueues);
  }

  // Suppliers: their own products

  function renderSupplier(sales) {
    if (!sales) return;
    var t = sales.totals;
    setStat("net_revenue", money(t.net_revenue));
    setStat("gross_revenue", w("sales_gross", { value: money(t.gross_revenue) }));
    setStat("net_units", count(t.net_units));
    setStat("gross_units", w("sales_gross", { value: count(t.gross_units) }));
    setStat("cancelled_units", count(t.cancelled_units));
    setStat("cancelled_revenue", money(t.cancelled_revenue));
    setStat("returned_units", count(t.returned_units));
    setStat("returned_revenue", money(t.returned_revenue));
    var products = sales.products.map(function (p) {
      var perSession = p.sessions.map(function (s) {
        return el("span", { text: (s.code || w("sales_outside_sessions")) + ": " + count(s.net_units) });
      });
      var changed = p.product_id in lastUnits && lastUnits[p.product_id] !== p.net_units;
      lastUnits[p.product_id] = p.net_units;
      return el("tr", { "data-product": p.product_id, class: changed ? "changed" : null }, [
        el("td", {}, [el("div", { class: "product-name", text: p.name }), el("div", { class: "product-meta", text: p.sku })]),
        el("td", { class: "num", text: count(p.campaign_stock) }),
        el("td", { class: "num", "data-cell": "net_units", text: count(p.net_units) }),
        el("td", { "data-cell": "stock_left" }, [
          el("div", { class: "bar" }, [
            el("div", { class: "bar-track", "aria-hidden": "true" }, [
              el("div", {
                class: "bar-fill" + (p.stock_left <= p.campaign_stock * 0.1 ? " low" : ""),
                style: "width:" + (p.campaign_stock > 0 ? Math.max(0, Math.min(100, (100 * p.stock_left) / p.campaign_stock)) : 0) + "%",
              }),
            ]),
            el("span", { class: p.stock_left < 0 ? "negative" : null, text: count(p.stock_left) }),
          ]),
        ]),
        el("td", { class: "num", text: money(p.net_revenue) }),
        el("td", { class: "num", text: count(p.cancelled_units) }),
        el("td", { class: "num", text: count(p.returned_units) }),
        el("td", { class: "sessions-cell" }, perSession),
      ]);
    });
    fill($("[data-products-rows]"), products);
    show($("[data-products-empty]"), products.length === 0);
    var sessions = sales.sessions.map(function (s) {
      var settle = s.settlement_ready
        ? el("div", { class: "exports" }, [
            el("button", { type: "button", class: "secondary", "data-settlement": s.session_id, "data-format": "csv", text: "CSV" }),
            el("button", { type: "button", class: "secondary", "data-settlement": s.session_id, "data-format": "xlsx", text: "XLSX" }),
          ])
        : el("span", { class: "product-meta", text: w("sales_settlement_pending") });
      return el("tr", { "data-session": s.session_id }, [
        el("td", {}, [el("strong", { text: s.code }), " · " + s.title, el("div", { class: "product-meta", text: s.campaign_name })]),
        el("td", { text: when(s.scheduled_start) }),
        el("td", { text: W["status_" + s.status] || s.status }),
        el("td", { class: "num", text: count(s.net_units) }),
        el("td", { class: "num", text: money(s.net_revenue) }),
        el("td", { class: "num", text: offRow(s) }),
        el("td", {}, [settle]),
      ]);
    });
    fill($("[data-supplier-sessions-rows]"), sessions);
    show($("[data-supplier-sessions-empty]"), sessions.length === 0);
  }

  function loadSupplier() {
    return api("GET", urls.supplier).then(renderSupplier);
  }

  // What each page loads again on a frame

  var loaders = [];
  if (data.kind === "supplier") {
    loaders.push(loadSupplier);
  } else {
    loaders.push(loadBoard, loadChart);
    if (data.kind === "producer") {
      loaders.push(
        function () {
          return api("GET", urls.sessions).then(renderSessions);
        },
        function () {
          return loadOrders("unattributed");
        },
        function () {
          return loadOrders("unmapped");
        },
        function () {
          return loadOrders("oversold");
        },
        loadQueues
      );
    }
  }

  var busy = false;
  var wanted = false;
  var timer = null;
  var lastStart = 0;
  var stats = { refreshes: 0, failures: 0 };

  function stamp() {
    var node = $("[data-updated]");
    if (node) node.textContent = "· " + w("sales_updated_at", { time: clockFormat.format(new Date()) });
  }

  function refresh() {
    wanted = true;
    pump();
  }

  function pump() {
    if (busy || timer || !wanted) return;
    var wait = Math.max(0, lastStart + MIN_GAP_MS - Date.now());
    timer = setTimeout(function () {
      timer = null;
      wanted = false;
      busy = true;
      lastStart = Date.now();
      Promise.all(
        loaders.map(function (load) {
          return load();
        })
      ).then(
        function () {
          stats.refreshes += 1;
          busy = false;
          stamp();
          pump();
        },
        function (err) {
          stats.failures += 1;
          busy = false;
          if (root.console) root.console.warn("sieulive sales: refresh failed", err);
          pump();
        }
      );
    }, wait);
  }

  // Live: one socket per campaign channel

  var statuses = {};

  function showConnection() {
    var names = Object.keys(statuses).map(function (k) {
      return statuses[k];
    });
    var state = "connecting";
    if (names.length && names.every(function (s) { return s === "live"; })) state = "live";
    else if (names.some(function (s) { return ["unauthorized", "forbidden", "not_found", "revoked"].indexOf(s) >= 0; })) state = "denied";
    else if (names.some(function (s) { return s === "reconnecting"; })) state = "reconnecting";
    var box = $("[data-conn]");
    if (!box) return;
    box.setAttribute("data-conn", state);
    $("[data-conn-text]", box).textContent = w("sales_conn_" + state);
  }

  function listen(campaignId) {
    if (!root.SieuRealtime) return;
    var scheme = root.location.protocol === "https:" ? "wss:" : "ws:";
    root.SieuRealtime.connect({
      url: scheme + "//" + root.location.host + "/ws/campaigns/" + campaignId,
      kind: "dashboard",
      name: data.kind,
      version: "sales/1.0",
      onState: refresh,
      onChange: refresh,
      onStatus: function (status) {
        statuses[campaignId] = status.state;
        showConnection();
      },
    });
  }

  // Clicks and filters

  doc.addEventListener("click", function (event) {
    var target = event.target.closest("button, a");
    if (!target) return;
    var id;
    if (target.hasAttribute("data-shortlist-add")) {
      id = Number(target.getAttribute("data-shortlist-add"));
      target.disabled = true;
      var call = shortlisted[id]
        ? api("DELETE", urls.shortlist + "/" + id)
        : api("POST", urls.shortlist, { product_id: id });
      call.then(loadShortlist).then(
        function () {
          target.disabled = false;
        },
        function (err) {
          target.disabled = false;
          root.alert(w("sales_shortlist_failed", { message: err.message }));
        }
      );
    } else if (target.hasAttribute("data-shortlist-remove")) {
      id = Number(target.getAttribute("data-shortlist-remove"));
      api("DELETE", urls.shortlist + "/" + id).then(loadShortlist);
    } else if (target.hasAttribute("data-export")) {
      download(urls.shortlist_export + "?format=" + target.getAttribute("data-export"));
    } else if (target.hasAttribute("data-settlement")) {
      var path = urls.settlement.replace("{id}", target.getAttribute("data-settlement"));
      download(path + "&format=" + target.getAttribute("data-format"));
    } else if (target.hasAttribute("data-minutes")) {
      minutes = Number(target.getAttribute("data-minutes"));
      Array.prototype.forEach.call(doc.querySelectorAll("[data-minutes]"), function (chip) {
        chip.setAttribute("aria-pressed", chip === target ? "true" : "false");
      });
      loadChart();
    } else if (target.hasAttribute("data-page")) {
      var panel = target.closest("[data-orders]");
      var list = panel.getAttribute("data-orders");
      var step = (data.order_rows || 20) * (target.getAttribute("data-page") === "next" ? 1 : -1);
      offsets[list] = Math.max(0, offsets[list] + step);
      loadOrders(list);
    } else if (target.hasAttribute("data-retry")) {
      id = target.getAttribute("data-retry");
      target.disabled = true;
      var status = $("[data-retry-status]");
      api("POST", urls.retry.replace("{id}", encodeURIComponent(id))).then(
        function (answer) {
          if (status) status.textContent = w("sales_retried", { id: answer.id, queue: answer.queue });
          loadQueues();
        },
        function (err) {
          target.disabled = false;
          if (status) status.textContent = w("sales_retry_failed", { message: err.message });
        }
      );
    }
  });

  if (form) {
    form.addEventListener("change", function () {
      keepInAddress();
      refresh();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      keepInAddress();
      refresh();
    });
    var clear = $("[data-clear]", form);
    if (clear) {
      clear.addEventListener("click", function (event) {
        event.preventDefault();
        form.reset();
        Array.prototype.forEach.call(form.querySelectorAll("select"), function (select) {
          select.selectedIndex = 0;
        });
        keepInAddress();
        refresh();
      });
    }
  }

  // First paint from the page's own figures, then live

  if (data.kind === "supplier") {
    renderSupplier(data.sales);
  } else {
    if (data.shortlist) renderShortlist(data.shortlist);
    renderBoard();
    renderChart();
    if (data.kind === "producer") {
      renderSessions(data.sessions);
      renderOrders("unattributed", data.unattributed);
      renderOrders("unmapped", data.unmapped);
      renderOrders("oversold", data.oversold);
      renderQueues(data.queues);
    }
  }
  stamp();
  (data.channels || []).forEach(listen);
  setInterval(refresh, POLL_MS);

  root.SieuSales = {
    stats: stats,
    chart: function () {
      return chart;
    },
    refresh: refresh,
  };
})(typeof window !== "undefined" ? window : this);
