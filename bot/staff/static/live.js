/* Live updates for the staff console's queue and handoff pages, without a manual reload.

   A page opts in with an element carrying data-live-url (a small JSON endpoint answering
   {"version": "..."}) and data-live-version (the version the page was rendered at), and
   marks the parts that may change with data-live-region="name". While the tab is visible
   this asks for the version, every 5 s after a change and backing off to once a minute
   while nothing changes (or the server fails); when the version moved it fetches the page
   again and swaps in each region, except one the staff member is typing or clicking in.
   Without this script the page works as before: its Refresh link reloads it.

   Requests carry X-Console-Update, so they do not count as the staff member's activity
   (the session still times out when nobody is there). A redirect means the session
   ended: updates stop and say so. No patient text is ever written as HTML: regions are
   moved as nodes from the server's own escaped page. */
(function () {
  "use strict";

  var FIRST_DELAY = 5000;
  var LONGEST_DELAY = 60000;
  var BACKOFF = 1.5;
  var HEADERS = { "X-Console-Update": "1" };

  var root = document.querySelector("[data-live-url]");
  if (!root || !window.fetch || !window.DOMParser) {
    return;
  }
  var status = root.querySelector("[data-live-status]");
  var delay = FIRST_DELAY;
  var timer = null;
  var stopped = false;
  var busy = false;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function clock() {
    return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = null;
    if (!stopped && document.visibilityState === "visible") {
      timer = window.setTimeout(check, delay);
    }
  }

  function signedOut() {
    stopped = true;
    say("Updates stopped: your session ended. Refresh to sign in again.");
  }

  function get(url) {
    return window.fetch(url, {
      headers: HEADERS,
      credentials: "same-origin",
      redirect: "manual",
      cache: "no-store",
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
        signedOut();
        throw new Error("signed out");
      }
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response;
    });
  }

  function swap(page) {
    var fresh = new DOMParser().parseFromString(page, "text/html");
    var freshRoot = fresh.querySelector("[data-live-url]");
    var kept = 0;
    root.querySelectorAll("[data-live-region]").forEach(function (region) {
      var name = region.getAttribute("data-live-region");
      var replacement = fresh.querySelector('[data-live-region="' + name + '"]');
      if (!replacement) {
        return;
      }
      if (region.contains(document.activeElement) && document.activeElement !== document.body) {
        kept += 1; // never pull a form or link away from under the staff member
        return;
      }
      region.replaceChildren.apply(region, Array.prototype.slice.call(document.importNode(replacement, true).childNodes));
    });
    if (kept) {
      say("New activity: refresh to see all of it.");
      return; // the version stays old, so the next check tries again
    }
    if (freshRoot) {
      root.setAttribute("data-live-version", freshRoot.getAttribute("data-live-version") || "");
    }
    say("Updated " + clock());
  }

  function check() {
    if (busy) {
      return;
    }
    busy = true;
    window.clearTimeout(timer);
    get(root.getAttribute("data-live-url"))
      .then(function (response) {
        return response.json();
      })
      .then(function (answer) {
        if (answer.version === root.getAttribute("data-live-version")) {
          delay = Math.min(delay * BACKOFF, LONGEST_DELAY);
          return null;
        }
        delay = FIRST_DELAY;
        return get(window.location.href)
          .then(function (response) {
            return response.text();
          })
          .then(swap);
      })
      .catch(function () {
        if (!stopped) {
          delay = Math.min(delay * 2, LONGEST_DELAY);
          say("Could not check for updates; trying again.");
        }
      })
      .then(function () {
        busy = false;
        schedule();
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !stopped) {
      delay = FIRST_DELAY;
      check();
    } else {
      window.clearTimeout(timer);
      timer = null;
    }
  });
  say("Updates automatically.");
  schedule();
})();
