import Hummingbird

/// The secretariat's live page: present/expected, a quorum bar, the latest check-ins and the absentees.
///
/// One self-contained HTML file compiled into the binary: no build step, no external script, font or image. It reads
/// `/api/session` and `/api/attendance`, then follows `/api/events`. A `?token=` in the page's address is passed on
/// to the API (needed when the daemon binds a non-loopback address).
enum Dashboard {
    static func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>RollCall — live attendance</title>
    <style>
      body { font: 16px/1.4 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
      header { background: #1d2330; color: #fff; padding: 12px 24px; display: flex; justify-content: space-between; align-items: baseline; }
      header h1 { font-size: 20px; margin: 0; }
      main { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; padding: 16px 24px; }
      section { background: #fff; border-radius: 8px; padding: 16px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
      #count { grid-column: 1 / 3; }
      .big { font-size: 48px; font-weight: 700; }
      .bar { position: relative; height: 22px; background: #e3e6ec; border-radius: 11px; overflow: hidden; margin-top: 8px; }
      .fill { height: 100%; background: #c0392b; width: 0; transition: width .4s; }
      .fill.met { background: #1e8449; }
      .mark { position: absolute; top: 0; bottom: 0; width: 2px; background: #1d2330; }
      ul { list-style: none; padding: 0; margin: 0; max-height: 60vh; overflow: auto; }
      li { padding: 6px 0; border-bottom: 1px solid #eef0f3; }
      .muted { color: #6b7280; font-size: 14px; }
      #status.off { color: #f5b041; }
    </style>
    </head>
    <body>
    <header><h1 id="session-name">RollCall</h1><span id="status" class="off">connecting…</span></header>
    <main>
      <section id="count">
        <div><span class="big" id="present">–</span> <span class="big">/</span> <span class="big" id="expected">–</span> present</div>
        <div class="bar"><div class="fill" id="fill"></div><div class="mark" id="mark"></div></div>
        <div class="muted" id="quorum-line">quorum: –</div>
      </section>
      <section><h2>Latest check-ins</h2><ul id="latest"></ul></section>
      <section><h2>Absent (<span id="absent-count">–</span>)</h2><ul id="absentees"></ul></section>
    </main>
    <script>
    "use strict";
    const token = new URLSearchParams(location.search).get("token");
    const headers = token ? { "Authorization": "Bearer " + token } : {};
    const $ = (id) => document.getElementById(id);
    function item(main, detail) {
      const li = document.createElement("li");
      li.textContent = main;
      if (detail) { const s = document.createElement("div"); s.className = "muted"; s.textContent = detail; li.appendChild(s); }
      return li;
    }
    async function getJSON(path) {
      const r = await fetch(path, { headers, cache: "no-store" });
      if (!r.ok) throw new Error(path + ": " + r.status);
      return r.json();
    }
    async function refresh() {
      try {
        const s = await getJSON("/api/session");
        $("session-name").textContent = "RollCall — " + s.name;
        $("present").textContent = s.present;
        $("expected").textContent = s.expected;
        const pct = s.expected ? 100 * s.present / s.expected : 0;
        $("fill").style.width = pct + "%";
        $("fill").className = "fill" + (s.quorum_met ? " met" : "");
        $("mark").style.left = (s.expected ? 100 * s.quorum_required / s.expected : 0) + "%";
        $("quorum-line").textContent = "quorum: " + s.quorum_required + " needed (" + Math.round(s.quorum_fraction * 100) + "%) — " + (s.quorum_met ? "reached" : "not reached");
        const a = await getJSON("/api/attendance");
        const absent = a.delegates.filter(d => d.status !== "present");
        $("absent-count").textContent = absent.length;
        $("absentees").replaceChildren(...absent.map(d => item(d.name, [d.unit, d.status === "excused" ? "excused" : null].filter(Boolean).join(" · "))));
        const present = a.delegates.filter(d => d.status === "present" && d.first_seen).sort((x, y) => y.first_seen.localeCompare(x.first_seen));
        if (!$("latest").children.length || !eventsSeen) {
          $("latest").replaceChildren(...present.slice(0, 20).map(d => item(d.name, [d.unit, d.gate ? "gate " + d.gate : d.method, d.first_seen].filter(Boolean).join(" · "))));
        }
      } catch (e) { $("status").textContent = "error: " + e.message; $("status").className = "off"; }
    }
    let eventsSeen = false;
    function follow() {
      const es = new EventSource("/api/events" + (token ? "?token=" + encodeURIComponent(token) : ""));
      es.onopen = () => { $("status").textContent = "live"; $("status").className = ""; };
      es.onerror = () => { $("status").textContent = "reconnecting…"; $("status").className = "off"; };
      es.addEventListener("checkin", (m) => {
        const c = JSON.parse(m.data);
        eventsSeen = true;
        $("latest").prepend(item(c.name, [c.unit, "gate " + c.gate, c.first_seen].filter(Boolean).join(" · ")));
        while ($("latest").children.length > 20) $("latest").lastChild.remove();
        $("present").textContent = c.present;
        refresh();
      });
    }
    refresh();
    follow();
    setInterval(refresh, 10000);
    </script>
    </body>
    </html>
    """#
}
