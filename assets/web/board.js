// The waiting-room board (MIT, part of this repository): draws the state the kiosk sends by server-sent events
// and announces each new call once, in order, never two at a time. The browser reconnects by itself; while it
// cannot, a red band says so. When the TV's browser will not play sound before a touch, a button asks for one.
(function () {
  "use strict";
  var english = document.body.dataset.english === "true";
  var lastSeq = null;            // the newest call heard (null until the first state: old calls are not replayed)
  var queue = [];                // calls waiting to be announced
  var playing = false;
  var spoken = 0;
  var offline = document.getElementById("offline");
  var soundButton = document.getElementById("sound");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function draw(state) {
    var current = document.getElementById("current");
    current.replaceChildren();
    if (state.current.length === 0) {
      current.appendChild(el("li", "idle", english ? "Chưa gọi số nào · No calls yet" : "Chưa gọi số nào"));
    }
    state.current.forEach(function (call) {
      var li = el("li", call.seq > (lastSeq || 0) ? "fresh" : "");
      li.dataset.seq = call.seq;
      li.appendChild(el("span", "label", call.label));
      li.appendChild(el("span", "arrow", "→"));
      li.appendChild(el("span", "counter", call.counter_vi));
      if (english) { var en = el("span", "counter en", call.counter_en); en.lang = "en"; li.appendChild(en); }
      current.appendChild(li);
    });
    var recent = document.getElementById("recent");
    recent.replaceChildren();
    state.recent.forEach(function (call) {
      var li = el("li");
      li.appendChild(el("span", "", call.label + " → " + call.counter_vi));
      li.appendChild(el("span", "time", call.time));
      recent.appendChild(li);
    });
    var waiting = document.getElementById("waiting");
    waiting.replaceChildren();
    state.waiting.forEach(function (w) {
      var li = el("li");
      li.appendChild(el("span", "", w.name_vi + (english ? " · " + w.name_en : "")));
      li.appendChild(el("span", "n", String(w.count)));
      li.dataset.service = w.code;
      waiting.appendChild(li);
    });
  }

  function announce(state) {
    var calls = state.recent.slice().reverse();   // oldest first
    var newest = calls.length ? calls[calls.length - 1].seq : 0;
    if (lastSeq === null) { lastSeq = newest; return; }
    calls.forEach(function (call) {
      if (call.seq > lastSeq) { queue.push(call); }
    });
    lastSeq = Math.max(lastSeq, newest);
    next();
  }

  function next() {
    if (playing || queue.length === 0) return;
    var call = queue.shift();
    playing = true;
    document.body.dataset.announcing = call.label;
    var audio = new Audio("/board/announcement/" + call.seq + ".wav");
    var finish = function (ok) {
      return function () {
        if (!playing) return;
        playing = false;
        if (ok) { spoken += 1; document.body.dataset.spoken = String(spoken); document.body.dataset.lastSpoken = call.label; }
        delete document.body.dataset.announcing;
        next();
      };
    };
    audio.addEventListener("playing", function () { document.body.dataset.playing = call.label; });
    audio.addEventListener("ended", finish(true));
    audio.addEventListener("error", finish(false));
    var started = audio.play();
    if (started && started.catch) {
      started.catch(function () {
        // The browser wants a touch before it plays sound: keep the call and ask for one.
        playing = false;
        queue.unshift(call);
        delete document.body.dataset.announcing;
        document.body.dataset.blocked = "true";
        soundButton.hidden = false;
      });
    }
  }

  soundButton.addEventListener("click", function () { soundButton.hidden = true; next(); });

  function connect() {
    var source = new EventSource("/board/events");
    source.addEventListener("board", function (event) {
      offline.hidden = true;
      document.body.dataset.connected = "true";
      var state = JSON.parse(event.data);
      draw(state);
      announce(state);
    });
    source.addEventListener("open", function () { offline.hidden = true; });
    source.addEventListener("error", function () {
      offline.hidden = false;
      document.body.dataset.connected = "false";
      // EventSource retries by itself; when the server refused outright it gives up, so start again.
      if (source.readyState === EventSource.CLOSED) { window.setTimeout(connect, 3000); }
    });
  }
  connect();
})();
