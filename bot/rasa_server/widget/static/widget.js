/*
 * Clinic chat widget: one <script src=".../webhooks/widget/widget.js" defer></script> tag
 * adds a chat launcher and panel that talk to the Rasa server's widget channel.
 *
 * Dependency-free on purpose: no build step, no CDN, no request to anyone but the bot.
 * It runs under a strict Content-Security-Policy (no inline script or style): styles
 * come from widget.css next to this file, colours are set through the CSSOM.
 *
 * Optional settings, as data attributes on the tag (these win) or as a
 * `window.ClinicChatWidget = {...}` object set before it:
 *   data-bot-url / botUrl             the Rasa server (default: where this script came from)
 *   data-clinic-name / clinicName     shown on the launcher and in error messages
 *   data-clinic-phone / clinicPhone   offered as a tel: link in the safety line when the bot
 *                                     is unreachable
 *   data-primary-color / primaryColor #rgb or #rrggbb; ignored (with a warning) when white
 *                                     text on it would have less than 4.5:1 contrast
 *   data-title / title                the panel's heading
 *
 * Without these, the clinic's name and phone come from the server: written into this
 * script when it is served (SERVED below), then from config.json.
 *
 * Every dead end (the bot unreachable, an error, no config) carries the safety line,
 * worded as the bot's own (bot.settings.ClinicProfile.safety_line): "Worried about a
 * symptom after a treatment? Call <phone>. Emergency: 911." A demo clinic profile
 * (fictional phone number) is labelled as a demo in the panel.
 *
 * Patient and bot text is only ever set as text (textContent, text nodes), never as HTML.
 *
 * The conversation is the server's: the widget asks it for a signed conversation token
 * (POST conversations), sends each message with it (POST webhook) and, after a reload,
 * reads the transcript back with it (POST history). localStorage holds the token and when
 * it was last used, nothing else: no message, no name, no number. A token the server
 * refuses (an old widget's own id, a changed secret) is replaced by a new one.
 * "New conversation" forgets the token. Without localStorage the token lives in memory.
 */
(function () {
  "use strict";

  // Replaced when the Rasa server serves this file (bot/rasa_server/channels/widget.py) by the clinic
  // profile's name, phone, emergency number and demo flag, so the safety line names the
  // number even when config.json cannot be fetched.
  var SERVED = {};

  var ID = "ccw";
  if (document.querySelector("." + ID + "-root")) {
    return; // the tag was added twice; one widget is enough
  }

  var REQUEST_TIMEOUT_MS = 20000;
  var MAX_MESSAGES = 100;
  var IDLE_MS = 24 * 60 * 60 * 1000;
  // While the panel is open, the widget asks for replies from a person at the clinic: every
  // POLL_MIN_MS after the patient's last message or a person's reply, backing off to
  // POLL_MAX_MS while nothing happens (and only while the page is visible).
  var POLL_MIN_MS = 4000;
  var POLL_MAX_MS = 60000;
  var MAX_INPUT_CHARS = 1000;
  var MAX_INPUT_HEIGHT_PX = 120;
  var SCROLL_MARGIN_PX = 12;
  var MIN_CONTRAST = 4.5;
  var WHITE = [255, 255, 255];
  // Where widget.css lays the panel over the whole screen: there it is a modal dialog, and Tab
  // stays inside it (WCAG 2.4.11: focus never goes to the page hidden under it).
  var FULL_SCREEN = "(max-width: 480px), (max-height: 520px)";
  var FOCUSABLE = "button, textarea, a[href], [tabindex='0']";
  var SCRIPT_PATH = /\/webhooks\/widget\/widget\.js(?:[?#].*)?$/;
  var URL_CANDIDATE = /https?:\/\/[^\s<>"]+/g;
  var TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;
  var FALLBACK = {
    greeting: "Hi! I'm the clinic's automated assistant. What would you like to know?",
    notice: "Automated assistant, not for emergencies.",
    emergencyNumber: "911",
  };
  var TEXT = {
    you: "You: ",
    assistant: "Assistant: ",
    staffSuffix: " (clinic team)",
    typing: "Assistant is typing",
    newTab: " (opens in a new tab)",
    image: "Open image",
    unreachable: "Sorry, I can't reach the assistant right now.",
    tryAgain: "Please try again in a moment.",
    retry: "Retry",
    // The safety line, in the words of bot.clinic_profile.ClinicProfile.safety_line.
    safetyStart: "Worried about a symptom after a treatment? Call ",
    safetyEmergency: ". Emergency: ",
    demo: "Demo: fictional phone number",
    rateQuestion: "Was this helpful?",
    rateUp: "Yes, helpful",
    rateDown: "No, not helpful",
    rateComment: "What was missing? (optional)",
    rateSend: "Send comment",
    rateThanks: "Thanks for telling us.",
  };
  // A response name the server marked as an answer patients may rate (bot/rasa_server/feedback.py).
  var ANSWER_NAME = /^utter_[a-z0-9_]{1,240}$/;
  var MAX_COMMENT_CHARS = 500;

  var script = document.currentScript || findOwnScript();
  var options = readOptions(script);
  var botUrl = options.botUrl.replace(/\/+$/, "");
  var widgetUrl = botUrl + "/webhooks/widget/";
  var store = createStore(ID + ":" + botUrl);

  // ---------------------------------------------------------------- settings

  function findOwnScript() {
    var scripts = document.querySelectorAll("script[src]");
    for (var i = scripts.length - 1; i >= 0; i -= 1) {
      if (SCRIPT_PATH.test(scripts[i].src)) {
        return scripts[i];
      }
    }
    return null;
  }

  function served(key) {
    var value = SERVED && typeof SERVED === "object" ? SERVED[key] : "";
    return typeof value === "string" ? value : "";
  }

  function readOptions(tag) {
    var page = window.ClinicChatWidget && typeof window.ClinicChatWidget === "object" ? window.ClinicChatWidget : {};
    var data = (tag && tag.dataset) || {};
    function pick(key) {
      var value = data[key] ? data[key] : page[key];
      return typeof value === "string" ? value.trim() : "";
    }
    var src = tag && tag.src ? tag.src : "";
    var ownBase = SCRIPT_PATH.test(src) ? src.replace(SCRIPT_PATH, "") : window.location.origin;
    return {
      botUrl: pick("botUrl") || ownBase,
      cssUrl: src ? new URL("widget.css", src).href : ownBase + "/webhooks/widget/widget.css",
      clinicName: pick("clinicName"),
      clinicPhone: pick("clinicPhone"),
      primaryColor: pick("primaryColor"),
      title: pick("title"),
    };
  }

  // ---------------------------------------------------------------- storage

  function createStore(key) {
    var storage = null;
    try {
      storage = window.localStorage;
      storage.setItem(key + ":probe", "1");
      storage.removeItem(key + ":probe");
    } catch (error) {
      storage = null; // privacy mode or blocked: the token lives in memory only
    }
    return {
      load: function () {
        try {
          return storage ? JSON.parse(storage.getItem(key)) : null;
        } catch (error) {
          return null;
        }
      },
      save: function (value) {
        try {
          if (storage) {
            storage.setItem(key, JSON.stringify(value));
          }
        } catch (error) {
          storage = null; // full or revoked: keep going in memory
        }
      },
    };
  }

  /** What is stored: the server's token for the conversation (none until the first message) and its last use. */
  function freshState() {
    return { token: null, updated: Date.now() };
  }

  function isButton(button) {
    return button && typeof button.title === "string" && typeof button.payload === "string";
  }

  function isMessage(message) {
    return (
      message &&
      (message.from === "bot" || message.from === "user") &&
      typeof message.text === "string" &&
      (message.staff === undefined || typeof message.staff === "string") &&
      (message.at === undefined || typeof message.at === "number") &&
      (message.buttons === undefined || (Array.isArray(message.buttons) && message.buttons.every(isButton))) &&
      (message.image === undefined || typeof message.image === "string")
    );
  }

  function isIdle(saved) {
    return Date.now() - saved.updated > IDLE_MS;
  }

  /** The stored conversation; anything else (an older widget's own id and transcript) starts afresh. */
  function loadState() {
    var saved = store.load();
    var valid = saved && typeof saved.token === "string" && saved.token && typeof saved.updated === "number";
    return valid && !isIdle(saved) ? { token: saved.token, updated: saved.updated } : freshState();
  }

  /** POST `body` as JSON to the widget channel's `path`; the response, whatever its status. */
  function postJson(path, body, signal) {
    return fetch(widgetUrl + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      signal: signal,
    });
  }

  // ---------------------------------------------------------------- colours

  function parseHex(value) {
    var match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value);
    if (!match) {
      return null;
    }
    var hex = match[1].length === 3 ? match[1].replace(/(.)/g, "$1$1") : match[1];
    return [0, 2, 4].map(function (start) {
      return parseInt(hex.slice(start, start + 2), 16);
    });
  }

  function luminance(rgb) {
    var linear = rgb.map(function (channel) {
      var c = channel / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  }

  function contrast(a, b) {
    var la = luminance(a);
    var lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  function applyPrimaryColor(root, value) {
    if (!value) {
      return;
    }
    var rgb = parseHex(value);
    if (!rgb || contrast(rgb, WHITE) < MIN_CONTRAST) {
      console.warn(
        "ClinicChatWidget: primary colour " + JSON.stringify(value) +
          " is not a #rgb/#rrggbb colour with at least 4.5:1 contrast against white text; using the default."
      );
      return;
    }
    root.style.setProperty("--ccw-primary", value);
  }

  // ---------------------------------------------------------------- DOM helpers

  function el(tag, className, attributes, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function srOnly(text) {
    return el("span", "ccw-sr", null, text);
  }

  function httpUrl(value) {
    try {
      var url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function externalLink(href, text) {
    var link = el("a", "ccw-link", { href: href, target: "_blank", rel: "noopener noreferrer" }, text);
    link.appendChild(srOnly(TEXT.newTab));
    return link;
  }

  /** Bot text as text nodes, with http(s) URLs (and nothing else) as links. */
  function appendLinkified(parent, text) {
    var last = 0;
    var match;
    URL_CANDIDATE.lastIndex = 0;
    while ((match = URL_CANDIDATE.exec(text)) !== null) {
      var candidate = match[0].replace(TRAILING_PUNCTUATION, "");
      var href = httpUrl(candidate);
      if (href) {
        parent.appendChild(document.createTextNode(text.slice(last, match.index)));
        parent.appendChild(externalLink(href, candidate));
        last = match.index + candidate.length;
      }
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // ---------------------------------------------------------------- the widget

  function start() {
    var state = loadState();
    store.save(state); // drops an expired token, and an older widget's stored transcript, right away
    var messages = []; // this tab's transcript, in memory only
    var texts = {
      clinicName: options.clinicName || served("clinicName"),
      clinicPhone: options.clinicPhone || served("clinicPhone"),
      emergencyNumber: served("emergencyNumber") || FALLBACK.emergencyNumber,
      demo: SERVED.demo === true,
      greeting: null,
      notice: FALLBACK.notice,
    };
    var busy = false;
    var conversation = 0; // bumped by "New conversation": late replies to an old one are dropped
    var inflight = null;
    var isOpen = false;

    var root = el("div", "ccw-root");
    root.hidden = true; // until widget.css has loaded, so the page never shows it unstyled
    var stylesheet = el("link", null, { rel: "stylesheet", href: options.cssUrl });
    var reveal = function () {
      root.hidden = false;
    };
    stylesheet.addEventListener("load", reveal);
    stylesheet.addEventListener("error", reveal);

    var panel = el("div", "ccw-panel", { id: "ccw-panel", role: "dialog" });
    panel.hidden = true;
    var header = el("div", "ccw-header");
    var title = el("div", "ccw-title");
    var newButton = el("button", "ccw-new", { type: "button" }, "New conversation");
    var closeButton = el("button", "ccw-close", { type: "button", "aria-label": "Close chat" });
    closeButton.appendChild(el("span", null, { "aria-hidden": "true" }, "\u00d7"));
    header.append(title, newButton, closeButton);
    // The notice opens the conversation and scrolls with it: a banner fixed above the log
    // took a quarter of a phone's panel and sat over the top of the conversation.
    var notice = el("p", "ccw-notice");
    var demoLabel = el("p", "ccw-demo", null, TEXT.demo);
    demoLabel.hidden = true;
    var log = el("div", "ccw-log", { role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
    var typing = el("div", "ccw-typing");
    typing.appendChild(srOnly(TEXT.typing));
    var dots = el("span", "ccw-dots", { "aria-hidden": "true" });
    dots.append(el("span"), el("span"), el("span"));
    typing.appendChild(dots);
    var form = el("form", "ccw-form");
    var label = el("label", "ccw-sr", { for: "ccw-input" }, "Message");
    var input = el("textarea", "ccw-input", {
      id: "ccw-input",
      rows: "1",
      maxlength: String(MAX_INPUT_CHARS),
      placeholder: "Type your question",
      autocomplete: "off",
    });
    var sendButton = el("button", "ccw-send", { type: "submit" }, "Send");
    form.append(label, input, sendButton);
    log.appendChild(notice);
    panel.append(header, demoLabel, log, form);
    var launcher = el("button", "ccw-launcher", { type: "button", "aria-expanded": "false", "aria-controls": "ccw-panel" });
    root.append(stylesheet, panel, launcher);
    applyPrimaryColor(root, options.primaryColor);
    updateLabels();
    document.body.appendChild(root);

    var configured = fetch(widgetUrl + "config.json", { credentials: "omit" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("config.json answered " + response.status);
        }
        return response.json();
      })
      .then(applyConfig)
      .catch(function () {
        // The launcher and a static greeting still work; the conversation may be fine.
      })
      .then(updateLabels);
    var serverTime = 0; // the newest message time (server clock) this widget has read
    var pollTimer = null;
    var pollDelay = POLL_MIN_MS;
    var takenOver = false;
    var ready = Promise.all([configured, readHistory()]).then(function (results) {
      restore(results[1].messages);
      noteRead(results[1]);
      schedulePoll(true);
    });

    /** The conversation's current session from the server (none without a token, or when refused),
     * and whether a person from the clinic has taken it over. */
    function readHistory() {
      var none = { messages: [], takenOver: false };
      if (!state.token) {
        return Promise.resolve(none);
      }
      var token = state.token;
      return postJson("history", { sender: token })
        .then(function (response) {
          if (response.status === 403) {
            forgetToken(token); // not a conversation of this server: start a new one
          }
          if (!response.ok) {
            throw new Error("history answered " + response.status);
          }
          return response.json();
        })
        .then(function (body) {
          return {
            messages: body && Array.isArray(body.messages) ? body.messages.filter(isMessage) : [],
            takenOver: Boolean(body && body.taken_over === true),
          };
        })
        .catch(function () {
          return none;
        });
    }

    function noteRead(read) {
      takenOver = read.takenOver;
      read.messages.forEach(function (message) {
        serverTime = Math.max(serverTime, message.at || 0);
      });
    }

    /** Ask again in a while: soon after activity, then less and less often while nothing happens. */
    function schedulePoll(soon) {
      window.clearTimeout(pollTimer);
      if (soon) {
        pollDelay = POLL_MIN_MS;
      }
      if (isOpen && state.token) {
        pollTimer = window.setTimeout(poll, pollDelay);
      }
    }

    /** Show what a person from the clinic wrote since the last read (and the assistant's notices
     * around it); everything else the widget already shows from its own requests. */
    function poll() {
      if (document.hidden) {
        pollDelay = Math.min(pollDelay * 2, POLL_MAX_MS);
        schedulePoll(false);
        return;
      }
      var generation = conversation;
      readHistory().then(function (read) {
        if (generation !== conversation) {
          return;
        }
        var fresh = read.messages.filter(function (message) {
          return message.from === "bot" && (message.staff || message.notice) && (message.at || 0) > serverTime;
        });
        noteRead(read);
        var added = fresh.map(fromHistory).map(addMessage);
        if (added.length) {
          revealFrom(added[0]);
        }
        var ceiling = takenOver ? POLL_MAX_MS / 4 : POLL_MAX_MS;
        pollDelay = added.length ? POLL_MIN_MS : Math.min(pollDelay * 2, ceiling);
        schedulePoll(false);
      });
    }

    function fromHistory(message) {
      var copy = { from: message.from, text: message.text };
      if (message.staff) {
        copy.staff = message.staff;
      }
      if (message.buttons && message.buttons.length) {
        copy.buttons = message.buttons.map(function (button) {
          return { title: button.title, payload: button.payload };
        });
      }
      return copy;
    }

    /** Show a restored transcript under the greeting (the greeting's suggestions are long gone). */
    function restore(restored) {
      if (!restored.length || messages.length) {
        return;
      }
      addGreeting(false);
      restored.map(fromHistory).forEach(addMessage);
    }

    function forgetToken(token) {
      if (state.token === token) {
        state.token = null;
        store.save(state);
      }
    }

    /** The conversation's token: the stored one, or a new one from the server. */
    function conversationToken(signal) {
      if (state.token) {
        return Promise.resolve(state.token);
      }
      var generation = conversation;
      return postJson("conversations", {}, signal)
        .then(function (response) {
          if (!response.ok) {
            throw new Error("conversations answered " + response.status);
          }
          return response.json();
        })
        .then(function (body) {
          if (!body || typeof body.token !== "string" || !body.token) {
            throw new Error("no conversation token");
          }
          if (generation === conversation) {
            state.token = body.token;
            store.save(state);
          }
          return body.token;
        });
    }

    function applyConfig(config) {
      var clinic = (config && config.clinic) || {};
      var greeting = (config && config.greeting) || {};
      // The tag's settings win; then the server's live profile; then what was served in this script.
      texts.clinicName = options.clinicName || (typeof clinic.name === "string" && clinic.name) || texts.clinicName;
      texts.clinicPhone = options.clinicPhone || (typeof clinic.phone === "string" && clinic.phone) || texts.clinicPhone;
      if (typeof clinic.emergency_number === "string" && clinic.emergency_number) {
        texts.emergencyNumber = clinic.emergency_number;
      }
      if (typeof clinic.demo === "boolean") {
        texts.demo = clinic.demo;
      }
      if (typeof greeting.text === "string" && greeting.text) {
        texts.greeting = {
          text: greeting.text,
          buttons: (Array.isArray(greeting.buttons) ? greeting.buttons : []).filter(isButton),
        };
      }
      if (config && typeof config.notice === "string" && config.notice) {
        texts.notice = config.notice;
      }
    }

    function updateLabels() {
      var chatWith = "Chat with " + (texts.clinicName || "us");
      launcher.textContent = chatWith;
      panel.setAttribute("aria-label", chatWith);
      title.textContent = options.title || texts.clinicName || "Clinic assistant";
      notice.textContent = texts.notice;
      demoLabel.hidden = !texts.demo;
    }

    function telLink(phone) {
      return el("a", "ccw-link", { href: "tel:" + phone.replace(/[^0-9+]/g, "") }, phone);
    }

    /** "Worried about a symptom after a treatment? Call <phone>. Emergency: 911.", the phone as a link. */
    function appendSafetyLine(parent) {
      parent.append(TEXT.safetyStart);
      if (texts.clinicPhone) {
        parent.appendChild(telLink(texts.clinicPhone));
      } else {
        parent.append(texts.clinicName || "the clinic");
      }
      parent.append(TEXT.safetyEmergency + texts.emergencyNumber + ".");
      return parent;
    }

    // ------------------------------------------------------------ messages

    function scrollToEnd() {
      log.scrollTop = log.scrollHeight;
    }

    function renderButtons(buttons) {
      var group = el("div", "ccw-quick-replies", { role: "group", "aria-label": "Suggested replies" });
      buttons.forEach(function (button) {
        var quick = el("button", "ccw-quick", { type: "button" }, button.title);
        quick.addEventListener("click", function () {
          if (sendMessage(button.payload, button.title)) {
            input.focus(); // the clicked button is gone; keep the keyboard in the panel
          }
        });
        group.appendChild(quick);
      });
      return group;
    }

    function renderMessage(message) {
      var item = el("div", "ccw-msg ccw-msg--" + (message.staff ? "staff" : message.from));
      if (message.staff) {
        // A person from the clinic wrote it: named, visibly and for screen readers.
        item.appendChild(el("p", "ccw-author", null, message.staff + TEXT.staffSuffix));
      } else {
        item.appendChild(srOnly(message.from === "user" ? TEXT.you : TEXT.assistant));
      }
      if (message.text) {
        var text = el("p", "ccw-text");
        if (message.from === "bot") {
          appendLinkified(text, message.text);
        } else {
          text.textContent = message.text;
        }
        item.appendChild(text);
      }
      var image = message.image && httpUrl(message.image);
      if (image) {
        item.appendChild(externalLink(image, TEXT.image));
      }
      if (message.buttons && message.buttons.length) {
        item.appendChild(renderButtons(message.buttons));
      }
      if (message.from === "bot" && message.rate) {
        item.appendChild(renderRating(message));
      }
      log.insertBefore(item, typing.parentNode === log ? typing : null);
      scrollToEnd();
      return item;
    }

    /**
     * "Was this helpful?" under an answer: two labelled buttons, then (for "no") an optional
     * comment. Posted to the widget channel's feedback route with this conversation's token,
     * so a rating can only be of an answer of this conversation; asked once per answer.
     */
    function renderRating(message) {
      var box = el("div", "ccw-rate", { role: "group", "aria-label": TEXT.rateQuestion });
      var question = el("p", "ccw-rate-question", null, TEXT.rateQuestion);
      var up = el("button", "ccw-rate-button", { type: "button", "aria-label": TEXT.rateUp, title: TEXT.rateUp }, "\uD83D\uDC4D");
      var down = el("button", "ccw-rate-button", { type: "button", "aria-label": TEXT.rateDown, title: TEXT.rateDown }, "\uD83D\uDC4E");
      var done = function (helpful) {
        delete message.rate; // asked once
        box.replaceChildren(el("p", "ccw-rate-thanks", { role: "status", tabindex: "-1" }, TEXT.rateThanks));
        if (!helpful) {
          box.appendChild(renderComment(message, box));
        }
      };
      [up, down].forEach(function (button) {
        button.addEventListener("click", function () {
          var helpful = button === up;
          message.sent = sendRating(message.rating, helpful, null);
          done(helpful);
        });
      });
      message.rating = message.rate;
      box.append(question, up, down);
      return box;
    }

    function renderComment(message, box) {
      var form = el("form", "ccw-rate-form");
      var id = ID + "-comment-" + Math.random().toString(36).slice(2);
      var label = el("label", "ccw-rate-label", { for: id }, TEXT.rateComment);
      var field = el("textarea", "ccw-rate-comment", { id: id, rows: "2", maxlength: String(MAX_COMMENT_CHARS) });
      var send = el("button", "ccw-rate-send", { type: "submit" }, TEXT.rateSend);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var comment = field.value.trim().slice(0, MAX_COMMENT_CHARS);
        if (comment) {
          // After the rating has arrived: the comment must not be overtaken by it.
          message.sent.then(function () {
            sendRating(message.rating, false, comment);
          });
        }
        form.remove();
        box.querySelector(".ccw-rate-thanks").focus();
      });
      form.append(label, field, send);
      return form;
    }

    /** Best effort: a rating that fails to arrive is not worth an error in the patient's chat. */
    function sendRating(answer, helpful, comment) {
      if (!state.token) {
        return Promise.resolve();
      }
      var body = { sender: state.token, answer: answer, helpful: helpful };
      if (comment) {
        body.comment = comment;
      }
      return postJson("feedback", body).catch(function () {});
    }

    function addMessage(message) {
      messages.push(message);
      var excess = messages.length - MAX_MESSAGES;
      if (excess > 0) {
        messages.splice(0, excess);
        Array.prototype.slice.call(log.querySelectorAll(".ccw-msg"), 0, excess).forEach(function (node) {
          node.remove();
        });
      }
      state.updated = Date.now();
      store.save(state);
      return renderMessage(message);
    }

    /** Scroll a long answer to its first line rather than its last. */
    function revealFrom(item) {
      log.scrollTop = Math.min(item.offsetTop - SCROLL_MARGIN_PX, log.scrollHeight);
    }

    function addGreeting(withButtons) {
      if (!messages.length) {
        var greeting = texts.greeting || { text: fallbackGreeting(), buttons: [] };
        // A copy: sending removes a message's buttons, and the next greeting needs them.
        addMessage({ from: "bot", text: greeting.text, buttons: withButtons ? greeting.buttons.slice() : [] });
      }
    }

    /** Without the server's greeting (no config.json), the static one carries the safety line. */
    function fallbackGreeting() {
      return FALLBACK.greeting + " " + appendSafetyLine(document.createElement("p")).textContent;
    }

    /** A Rasa REST reply as transcript data; `custom` and unknown fields are dropped. */
    function fromRasa(reply) {
      if (!reply || typeof reply !== "object") {
        return null;
      }
      var message = { from: "bot", text: typeof reply.text === "string" ? reply.text : "" };
      var buttons = Array.isArray(reply.buttons) ? reply.buttons.filter(isButton) : [];
      if (buttons.length) {
        message.buttons = buttons.map(function (button) {
          return { title: button.title, payload: button.payload };
        });
      }
      if (typeof reply.image === "string" && httpUrl(reply.image)) {
        message.image = reply.image;
      }
      if (typeof reply.rate === "string" && ANSWER_NAME.test(reply.rate)) {
        message.rate = reply.rate;
      }
      return message.text || message.buttons || message.image ? message : null;
    }

    function clearTransient() {
      Array.prototype.forEach.call(log.querySelectorAll(".ccw-quick-replies, .ccw-error"), function (node) {
        node.remove();
      });
      messages.forEach(function (message) {
        delete message.buttons;
      });
    }

    function setBusy(value) {
      busy = value;
      form.setAttribute("aria-busy", String(value));
      // aria-disabled, not disabled: a disabled button would drop the keyboard focus.
      sendButton.setAttribute("aria-disabled", String(value));
      if (value) {
        log.appendChild(typing);
        scrollToEnd();
      } else {
        typing.remove();
      }
    }

    function showError(payload) {
      var box = el("div", "ccw-error");
      box.appendChild(el("p", "ccw-error-title", null, TEXT.unreachable));
      var help = el("p", "ccw-error-help", null, TEXT.tryAgain);
      var safety = appendSafetyLine(el("p", "ccw-error-help ccw-safety"));
      var retry = el("button", "ccw-retry", { type: "button" }, TEXT.retry);
      retry.addEventListener("click", function () {
        if (!busy) {
          box.remove();
          input.focus();
          post(payload);
        }
      });
      box.append(help, safety, retry);
      log.appendChild(box);
      scrollToEnd();
    }

    function post(payload) {
      var generation = conversation;
      var controller = new AbortController();
      var timer = window.setTimeout(function () {
        controller.abort();
      }, REQUEST_TIMEOUT_MS);
      inflight = controller;
      setBusy(true);
      deliver(payload, controller.signal, false)
        .then(function (replies) {
          if (generation !== conversation) {
            return;
          }
          if (!Array.isArray(replies)) {
            throw new Error("unexpected reply");
          }
          setBusy(false);
          schedulePoll(true);
          var added = replies.map(fromRasa).filter(Boolean).map(addMessage);
          if (added.length) {
            revealFrom(added[0]);
          }
        })
        .catch(function () {
          if (generation === conversation) {
            setBusy(false);
            showError(payload);
          }
        })
        .then(function () {
          window.clearTimeout(timer);
        });
    }

    /** The bot's replies to `payload`; a refused token is replaced once, and the message sent again. */
    function deliver(payload, signal, renewed) {
      return conversationToken(signal)
        .then(function (token) {
          return postJson("webhook", { sender: token, message: payload }, signal).then(function (response) {
            if (response.status === 403 && !renewed) {
              forgetToken(token);
              return deliver(payload, signal, true);
            }
            if (!response.ok) {
              throw new Error("the bot answered " + response.status);
            }
            return response.json();
          });
        });
    }

    /** Send `payload` to the bot and show `shown` as the patient's message; false while busy. */
    function sendMessage(payload, shown) {
      if (busy) {
        return false;
      }
      if (isIdle(state) && messages.length) {
        reset();
      }
      clearTransient();
      addMessage({ from: "user", text: shown });
      post(payload);
      return true;
    }

    function reset() {
      conversation += 1;
      if (inflight) {
        inflight.abort();
      }
      setBusy(false);
      state = freshState();
      store.save(state);
      messages = [];
      serverTime = 0;
      window.clearTimeout(pollTimer);
      log.textContent = "";
      log.appendChild(notice);
      addGreeting(true);
    }

    // ------------------------------------------------------------ open, close, input

    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) {
        schedulePoll(true); // back on the page: look for a reply at once
      }
    });

    var fullScreen = window.matchMedia(FULL_SCREEN);

    /** A modal dialog while it covers the whole screen; a window in the corner otherwise. */
    function updateModal() {
      if (isOpen && fullScreen.matches) {
        panel.setAttribute("aria-modal", "true");
      } else {
        panel.removeAttribute("aria-modal");
      }
    }

    /** Tab from the panel's last control goes to its first, Shift+Tab from the first to the last. */
    function keepFocusInside(event) {
      if (event.key !== "Tab" || !fullScreen.matches) {
        return;
      }
      var focusable = Array.prototype.filter.call(panel.querySelectorAll(FOCUSABLE), function (node) {
        return node.getClientRects().length > 0;
      });
      var first = focusable[0];
      var last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }

    function open() {
      isOpen = true;
      panel.hidden = false;
      root.classList.add("ccw-root--open");
      updateModal();
      launcher.setAttribute("aria-expanded", "true");
      if (isIdle(state) && messages.length) {
        reset();
      }
      ready.then(function () {
        if (isOpen) {
          addGreeting(true);
          schedulePoll(true);
        }
      });
      scrollToEnd();
      input.focus();
    }

    /** Close the panel; the keyboard goes back to the launcher unless it is on the page. */
    function close(focusLauncher) {
      isOpen = false;
      window.clearTimeout(pollTimer);
      panel.hidden = true;
      root.classList.remove("ccw-root--open");
      updateModal();
      launcher.setAttribute("aria-expanded", "false");
      if (focusLauncher) {
        launcher.focus();
      }
    }

    function submitInput() {
      var text = input.value.trim();
      if (text && sendMessage(text, text)) {
        input.value = "";
        fitInput();
      }
    }

    function fitInput() {
      input.style.height = "auto";
      input.style.height = Math.min(input.scrollHeight, MAX_INPUT_HEIGHT_PX) + "px";
    }

    launcher.addEventListener("click", function () {
      if (isOpen) {
        close(true);
      } else {
        open();
      }
    });
    closeButton.addEventListener("click", function () {
      close(true);
    });
    newButton.addEventListener("click", function () {
      reset();
      input.value = "";
      fitInput();
      input.focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitInput();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitInput();
      }
    });
    input.addEventListener("input", fitInput);
    panel.addEventListener("keydown", keepFocusInside);
    if (fullScreen.addEventListener) {
      fullScreen.addEventListener("change", updateModal);
    }
    // Escape closes the panel from anywhere on the page (unless the page used the key itself):
    // a page control that has focus under the open panel is revealed without moving the focus
    // (WCAG 2.4.11, content the patient opened).
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen && !event.defaultPrevented) {
        event.preventDefault();
        close(root.contains(document.activeElement));
      }
    });
  }

  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
