// Progressive enhancement for the console (every page works without it): copy buttons, a busy state
// for slow forms, confirmation of destructive actions, and a live list of webhook deliveries.
// Served from 'self' under a CSP without 'unsafe-inline'; builds DOM with textContent only.
(function () {
  'use strict';
  function announce(el, text) {
    if (el) el.textContent = text;
  }

  document.addEventListener('click', function (e) {
    var btn = e.target && e.target.closest ? e.target.closest('[data-copy]') : null;
    if (!btn) return;
    var source = document.getElementById(btn.getAttribute('data-copy'));
    var status = document.getElementById(btn.getAttribute('data-copy') + '-copied');
    if (!source) return;
    var text = 'value' in source ? source.value : source.textContent;
    var done = function () { announce(status, 'Copied.'); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { source.select && source.select(); announce(status, 'Select and copy with Ctrl+C.'); });
    } else if (source.select) {
      source.select();
      announce(status, 'Selected: copy with Ctrl+C.');
    }
  });

  document.addEventListener('submit', function (e) {
    var form = e.target;
    var question = form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) {
      e.preventDefault();
      return;
    }
    var busy = form.getAttribute('data-busy');
    if (busy) {
      var button = form.querySelector('button[type="submit"]');
      if (button) {
        button.setAttribute('disabled', 'disabled');
        button.textContent = busy;
      }
      announce(document.getElementById(form.getAttribute('data-status') || ''), busy);
    }
  });

  // A table of recent deliveries with data-live="<json url>" refreshes itself every few seconds.
  function refresh(table) {
    var url = table.getAttribute('data-live');
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || !data.deliveries) return;
        var body = table.querySelector('tbody');
        var first = body.getAttribute('data-first');
        while (body.firstChild) body.removeChild(body.firstChild);
        data.deliveries.forEach(function (d) {
          var tr = document.createElement('tr');
          [d.receivedAt, String(d.status), d.outcome + (d.test ? ' (test)' : ''), d.summary || '', d.reason || ''].forEach(function (v) {
            var td = document.createElement('td');
            td.textContent = v;
            tr.appendChild(td);
          });
          body.appendChild(tr);
        });
        if (!data.deliveries.length) {
          var tr = document.createElement('tr');
          var td = document.createElement('td');
          td.colSpan = 5;
          td.textContent = 'No delivery yet.';
          tr.appendChild(td);
          body.appendChild(tr);
        }
        var newest = data.deliveries.length ? data.deliveries[0].id : '';
        if (first !== null && newest && newest !== first) announce(document.getElementById(table.getAttribute('data-status')), 'A new delivery arrived: ' + (data.deliveries[0].summary || data.deliveries[0].outcome));
        body.setAttribute('data-first', newest);
      })
      .catch(function () {});
  }
  // The connector form shows only the credentials of the chosen authentication type.
  function showAuthFields(select) {
    var form = select.form;
    Array.prototype.forEach.call(form.querySelectorAll('[data-auth-types]'), function (el) {
      var types = el.getAttribute('data-auth-types').split(' ');
      if (types.indexOf(select.value) >= 0) el.removeAttribute('hidden');
      else el.setAttribute('hidden', 'hidden');
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('table[data-live]'), function (t) {
      setInterval(function () { refresh(t); }, 3000);
    });
    // After a refused form, keyboard and screen-reader users land on the list of what to fix.
    var errors = document.getElementById('errors');
    if (errors) errors.focus();
    var auth = document.querySelector('select[name="auth.type"]');
    if (auth) {
      showAuthFields(auth);
      auth.addEventListener('change', function () { showAuthFields(auth); });
    }
  });
})();
