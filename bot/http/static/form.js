// The form page's only script (served by the bot, no build step, no other origin). It sends what is typed
// to the server, which parses, checks and stores it with the chat's own code, and shows what it answers.
(function () {
  'use strict';
  var app = document.getElementById('app');
  if (!app) return;
  var auth = readAuth();
  var period = new URLSearchParams(location.search).get('period') || undefined;
  var pending = 0;

  function readAuth() {
    var m = /^\/form\/l\/([A-Za-z0-9_-]+)$/.exec(location.pathname);
    if (m) return { kind: 'link', token: m[1] };
    // Telegram puts initData in the fragment (#tgWebAppData=…); kept for reloads inside the same tab.
    var data = new URLSearchParams(location.hash.replace(/^#/, '')).get('tgWebAppData');
    try {
      if (data) sessionStorage.setItem('tgWebAppData', data);
      else data = sessionStorage.getItem('tgWebAppData');
    } catch (e) { /* storage may be disabled */ }
    var tg = window.Telegram && window.Telegram.WebApp;
    if (!data && tg && tg.initData) data = tg.initData;
    return data ? { kind: 'telegram', initData: data } : null;
  }

  function telegramReady() {
    var tg = window.Telegram && window.Telegram.WebApp;
    if (tg) {
      try { tg.ready(); tg.expand(); } catch (e) { /* not inside Telegram */ }
      return;
    }
    // Without Telegram's script: the same two events, posted the way its clients listen for them.
    var events = ['web_app_ready', 'web_app_expand'];
    events.forEach(function (name) {
      try {
        if (window.TelegramWebviewProxy) window.TelegramWebviewProxy.postEvent(name, '{}');
        else if (window.parent !== window) window.parent.postMessage(JSON.stringify({ eventType: name, eventData: {} }), 'https://web.telegram.org');
      } catch (e) { /* not inside Telegram */ }
    });
  }

  function call(path, body) {
    var payload = Object.assign({ auth: auth }, period ? { period: period } : {}, body || {});
    return fetch('/form/api/' + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      credentials: 'omit',
      cache: 'no-store',
    }).then(function (r) {
      return r.json().then(function (j) { return { status: r.status, body: j }; }, function () { return { status: r.status, body: {} }; });
    }, function () {
      return { status: 0, body: { message: 'Không kết nối được máy chủ. Câu trả lời này chưa được lưu; vui lòng kiểm tra mạng rồi thử lại.' } };
    });
  }

  function showFatal(title, message) {
    app.textContent = '';
    var h = document.createElement('h1');
    h.textContent = title;
    var p = document.createElement('p');
    p.className = 'banner error';
    p.textContent = message;
    app.appendChild(h);
    app.appendChild(p);
  }

  function isAuthFailure(r) { return r.status === 401 || r.status === 403 || r.status === 404 || r.status === 410; }

  function setMsg(el, text, kind) {
    if (!el) return;
    el.textContent = text || '';
    el.className = 'msg' + (kind ? ' ' + kind : '');
  }

  function updateSummary(s) {
    if (!s) return;
    var st = document.getElementById('status');
    if (st) { st.textContent = s.status; st.className = 'banner ' + s.statusClass; }
    if (s.confirmed) {
      var b = document.getElementById('confirm');
      if (b) b.remove();
    }
  }

  function fieldOf(key) { return app.querySelector('.field[data-key="' + key + '"]'); }

  function applyField(f) {
    var box = fieldOf(f.key);
    if (!box) return;
    var input = box.querySelector('input, textarea');
    input.value = f.input;
    input.dataset.saved = f.input;
    box.dataset.seen = f.seen === null ? '' : String(f.seen);
    box.classList.remove('empty', 'answered', 'nothing', 'skipped', 'missing');
    box.classList.add(f.state);
    input.removeAttribute('aria-invalid');
    var notes = [];
    if (f.note) notes.push('Ghi chú: ' + f.note);
    if (f.flagged) notes.push('Đơn vị đã xác nhận số liệu khác thường này.');
    if (f.state === 'skipped') notes.push('Câu này đã được bỏ qua.');
    var note = box.querySelector('.note');
    if (!note && notes.length) {
      note = document.createElement('p');
      note.className = 'note';
      box.insertBefore(note, box.querySelector('.msg'));
    }
    if (note) note.textContent = notes.join(' ');
  }

  function button(label, onClick) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.addEventListener('click', onClick);
    return b;
  }

  function choices(box, buttons) {
    var wrap = document.createElement('div');
    wrap.className = 'choices';
    buttons.forEach(function (b) { wrap.appendChild(b); });
    box.querySelector('.msg').appendChild(wrap);
  }

  function candidatesButtons(box, values, input) {
    choices(box, values.map(function (v) {
      return button('Chọn ' + v.toLocaleString('vi-VN'), function () { input.value = String(v); save(box, input); });
    }));
  }

  /** A figure far from last period's: the question back, as in the chat ("Đúng không?"). */
  function unlikelyButtons(box, input) {
    choices(box, [
      button('Đúng', function () { save(box, input, true); }),
      button('Nhập lại', function () { setMsg(box.querySelector('.msg'), '', ''); input.focus(); input.select(); }),
    ]);
  }

  function save(box, input, confirmUnlikely) {
    var key = box.dataset.key;
    var msg = box.querySelector('.msg');
    var seen = box.dataset.seen ? Number(box.dataset.seen) : null;
    setMsg(msg, 'Đang lưu…', 'busy');
    pending++;
    var body = { key: key, text: input.value, seen: seen };
    if (confirmUnlikely) body.confirmUnlikely = true;
    return call('save', body).then(function (r) {
      pending--;
      var b = r.body || {};
      if (isAuthFailure(r)) { setMsg(msg, b.message || 'Không lưu được.', 'error'); return; }
      // A refused or asked-back answer stays in the field as typed; otherwise the field shows what is stored.
      if (b.field && (r.status === 200 || b.outcome === 'conflict')) applyField(b.field);
      updateSummary(b.summary);
      if (r.status === 200) {
        setMsg(msg, b.message || '', b.message ? 'ok' : '');
      } else if (b.outcome === 'conflict') {
        setMsg(msg, b.message, 'warn');
      } else if (b.outcome === 'unlikely') {
        setMsg(msg, b.message, 'warn');
        unlikelyButtons(box, input);
      } else {
        input.setAttribute('aria-invalid', 'true');
        setMsg(msg, b.message || 'Không lưu được câu trả lời này.', 'error');
        if (b.candidates && b.candidates.length) candidatesButtons(box, b.candidates, input);
      }
    });
  }

  function confirmReport() {
    var out = document.getElementById('confirm-msg');
    var button = document.getElementById('confirm');
    // A field still being typed in is saved first, so the confirmation sees it.
    var active = document.activeElement;
    if (active && active.closest && active.closest('.field')) active.blur();
    setMsg(out, 'Đang gửi…', 'busy');
    if (button) button.disabled = true;
    var wait = function () { return pending > 0 ? new Promise(function (ok) { setTimeout(ok, 50); }).then(wait) : Promise.resolve(); };
    return wait().then(function () { return call('confirm'); }).then(function (r) {
      if (button) button.disabled = false;
      var b = r.body || {};
      updateSummary(b.summary);
      app.querySelectorAll('.field.missing').forEach(function (el) { el.classList.remove('missing'); });
      if (r.status === 200) {
        // The confirmed view (no button, corrections still open), with the confirmation kept in sight.
        return render().then(function () { setMsg(document.getElementById('confirm-msg'), b.message, 'ok'); });
      }
      setMsg(out, b.message || 'Chưa xác nhận được.', 'error');
      var missing = (b.summary && b.summary.missingRequired) || [];
      var first = null;
      app.querySelectorAll('.field').forEach(function (el) {
        var n = Number((el.querySelector('.num') || {}).textContent.replace(/\D/g, ''));
        if (missing.indexOf(n) >= 0) { el.classList.add('missing'); first = first || el; }
      });
      if (first) first.scrollIntoView({ behavior: 'smooth', block: 'center' });
    });
  }

  function attach() {
    var form = document.getElementById('form');
    if (!form) return;
    form.addEventListener('submit', function (e) { e.preventDefault(); });
    if (form.dataset.open !== 'true') return;
    app.querySelectorAll('.field').forEach(function (box) {
      var input = box.querySelector('input, textarea');
      input.dataset.saved = input.value;
      var keep = box.querySelector('.keep');
      if (keep) keep.addEventListener('click', function () { input.value = keep.dataset.keep; save(box, input); });
      input.addEventListener('blur', function () {
        if (input.value !== input.dataset.saved) save(box, input);
      });
      if (input.tagName === 'INPUT') {
        input.addEventListener('keydown', function (e) {
          if (e.key !== 'Enter') return;
          e.preventDefault();
          var all = Array.prototype.slice.call(app.querySelectorAll('.field input, .field textarea'));
          var next = all[all.indexOf(input) + 1];
          if (next) next.focus(); else input.blur();
        });
      }
    });
    var button = document.getElementById('confirm');
    if (button) button.addEventListener('click', confirmReport);
  }

  function render() {
    return call('load').then(function (r) {
      var b = r.body || {};
      if (r.status !== 200) { showFatal(b.title || 'Không mở được biểu mẫu', b.message || 'Vui lòng gõ /nhap trong cuộc trò chuyện để mở lại.'); return; }
      document.title = b.title;
      app.innerHTML = b.html;
      var form = document.getElementById('form');
      if (form) period = form.dataset.period;
      attach();
    });
  }

  telegramReady();
  if (!auth) {
    showFatal('Không mở được biểu mẫu', 'Trang này cần được mở từ nút “Mở biểu mẫu” trong Telegram, hoặc từ đường dẫn bot gửi. Vui lòng gõ /nhap trong cuộc trò chuyện với bot.');
    return;
  }
  if (app.dataset.auth === 'link' && document.getElementById('form')) attach();
  else render();
  // Answers given in the chat meanwhile appear when the person comes back to the page (after it was
  // hidden: another app, the chat), unless something on it still waits for them (a change, a question back).
  var wasHidden = false;
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') { wasHidden = true; return; }
    if (!wasHidden || pending > 0 || app.querySelector('.choices')) return;
    var dirty = Array.prototype.some.call(app.querySelectorAll('.field input, .field textarea'), function (el) { return el.value !== el.dataset.saved; });
    if (dirty) return;
    wasHidden = false;
    render();
  });
})();
