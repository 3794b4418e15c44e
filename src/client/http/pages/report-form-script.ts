/**
 * The report form's one script, served at /static/report-form.js (the pages' policy allows
 * scripts from this server's own files only). It enhances a file question's upload form, which
 * works without it as a multipart post: the file goes to the attachments API with a progress
 * bar, then the answer is saved over the version the page saw, and the field lists the new file
 * without a page load (so nothing typed elsewhere on the page is lost). Every text users read
 * comes from the page (`data-messages`, rendered from the same Swedish table as the server's
 * errors); refusals are shown by the field and in the page's error summary, as the server does.
 *
 * Plain ES2017 for the browser, kept as a string: no build step for one small file.
 */
export const REPORT_FORM_SCRIPT = String.raw`(function () {
  'use strict';

  function parse(text) {
    try { return JSON.parse(text); } catch (e) { return {}; }
  }

  /**
   * Only a fallback: the page gives the uploader's name (data-me). Older records: "token:tok_1
   * (owner Team)" → "Team", "board:farsta (Anna Andersson, tok_1)" → "Anna Andersson"; never a
   * person id (p_…) for a name.
   */
  function savedByLabel(actor) {
    var token = /^token:\S+ \(owner (.*)\)$/.exec(actor);
    if (token && !/^p_/.test(token[1])) return token[1];
    var match = /^\S+ \((.*), [^,()]+\)$/.exec(actor);
    return match ? match[1] : actor;
  }

  function formatBytes(bytes) {
    if (bytes < 1024) return bytes + ' byte';
    var units = ['kB', 'MB', 'GB'];
    var value = bytes / 1024;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
    return value.toLocaleString('sv-SE', { maximumFractionDigits: 1 }) + '\u00a0' + units[unit];
  }

  function formatInstant(iso) {
    return new Date(iso).toLocaleString('sv-SE', {
      timeZone: 'Europe/Stockholm', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric',
      hour: '2-digit', minute: '2-digit',
    }).replace(/ (\d\d:\d\d)$/, ' kl. $1');
  }

  function describedBy(input, id, add) {
    var ids = (input.getAttribute('aria-describedby') || '').split(' ').filter(function (x) { return x && x !== id; });
    if (add) ids.push(id);
    if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
    else input.removeAttribute('aria-describedby');
  }

  function summary() {
    return document.getElementById('fel-filer');
  }

  function clearError(field, input) {
    var error = document.getElementById(field.id + '-fel');
    if (error) error.remove();
    field.classList.remove('field-error');
    input.removeAttribute('aria-invalid');
    describedBy(input, field.id + '-fel', false);
    var box = summary();
    if (box) { box.hidden = true; box.querySelector('ul').textContent = ''; }
  }

  function fail(field, input, text) {
    var progress = field.querySelector('progress');
    if (progress) progress.hidden = true;
    setStatus(field, '');
    var error = document.createElement('span');
    error.className = 'error-message';
    error.id = field.id + '-fel';
    error.textContent = text;
    // Above the input's row (the input sits in a row with its button), as the server draws it.
    var row = input.closest('.file-upload') || input;
    row.parentNode.insertBefore(error, row);
    field.classList.add('field-error');
    input.setAttribute('aria-invalid', 'true');
    describedBy(input, error.id, true);
    var box = summary();
    if (box) {
      var item = document.createElement('li');
      var link = document.createElement('a');
      link.href = '#' + input.id;
      link.textContent = field.dataset.label + ': ' + text;
      item.appendChild(link);
      box.querySelector('ul').appendChild(item);
      box.hidden = false;
      box.focus();
    }
  }

  function setStatus(field, text) {
    var status = document.getElementById(field.id + '-status');
    if (status) status.textContent = text;
  }

  function messageFor(body, messages) {
    return (body && body.code && messages[body.code]) || messages.failed;
  }

  /** The remove button of a file listed by the script: a form like the server's, outside the section's form. */
  function removeForm(field, attachmentId, version) {
    var form = document.createElement('form');
    form.method = 'post';
    form.action = field.dataset.pageUrl;
    form.id = field.id + '-ta-bort-' + attachmentId;
    var fields = { atgard: 'ta-bort-fil', fraga: field.dataset.path, bilaga: attachmentId };
    fields['version:' + field.dataset.path] = version;
    Object.keys(fields).forEach(function (name) {
      var hidden = document.createElement('input');
      hidden.type = 'hidden';
      hidden.name = name;
      hidden.value = fields[name];
      form.appendChild(hidden);
    });
    document.getElementById(field.dataset.uploadForm).after(form);
    return form.id;
  }

  function listFile(field, meta, version, messages) {
    var list = document.getElementById(field.id + '-filer');
    var empty = document.getElementById(field.id + '-inga');
    if (empty) empty.hidden = true;
    list.hidden = false;
    var item = document.createElement('li');
    var link = document.createElement('a');
    link.href = field.dataset.downloadUrl + '/' + encodeURIComponent(meta.id);
    link.textContent = meta.fileName;
    item.appendChild(link);
    item.appendChild(document.createTextNode(
      ' (' + formatBytes(meta.sizeBytes) + '), ' + messages.uploadedBy + ' ' + (field.dataset.me || savedByLabel(meta.uploadedBy)) + ', ' +
      formatInstant(meta.uploadedAt) + ' '));
    var button = document.createElement('button');
    button.type = 'submit';
    button.className = 'secondary';
    button.setAttribute('form', removeForm(field, meta.id, version));
    button.textContent = messages.remove;
    var hidden = document.createElement('span');
    hidden.className = 'visually-hidden';
    hidden.textContent = ' ' + meta.fileName;
    button.appendChild(hidden);
    item.appendChild(button);
    list.appendChild(item);
  }

  /** Every form of the page names the answer's version it saw: after a save, the new one. */
  function newVersion(path, version) {
    document.querySelectorAll('input[type=hidden]').forEach(function (input) {
      if (input.name === 'version:' + path) input.value = String(version);
    });
  }

  function save(field, input, meta, messages) {
    var files = parse(field.dataset.files);
    var value = (Array.isArray(files) ? files : []).concat([{ attachment: meta.id, name: meta.fileName }]);
    setStatus(field, messages.saving);
    return fetch(field.dataset.saveUrl, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: field.dataset.path, value: value, expectedVersion: Number(field.dataset.version) }),
    }).then(function (response) {
      return response.text().then(function (text) {
        var body = parse(text);
        if (response.status !== 200) return fail(field, input, messageFor(body, messages));
        field.dataset.files = JSON.stringify(value);
        field.dataset.version = String(body.version);
        newVersion(field.dataset.path, body.version);
        // The other remove buttons name the old version: they belong to the page as drawn.
        field.querySelectorAll('button[form]').forEach(function (button) {
          var form = document.getElementById(button.getAttribute('form'));
          if (form && form.id.indexOf(field.id + '-ta-bort-') === 0) {
            form.querySelector('input[name="version:' + field.dataset.path + '"]').value = String(body.version);
          }
        });
        listFile(field, meta, body.version, messages);
        input.value = '';
        field.querySelector('progress').hidden = true;
        setStatus(field, messages.uploaded.replace('{name}', meta.fileName));
      });
    }, function () { fail(field, input, messages.failed); });
  }

  function upload(form, field) {
    var input = document.getElementById(field.id + '-fil');
    var messages = parse(field.dataset.messages);
    clearError(field, input);
    var file = input.files && input.files[0];
    if (!file) return fail(field, input, messages['no-file']);
    if (file.size > Number(field.dataset.maxBytes)) return fail(field, input, messages['too-large']);
    var progress = field.querySelector('progress');
    progress.value = 0;
    progress.hidden = false;
    setStatus(field, messages.uploading.replace('{name}', file.name));
    var request = new XMLHttpRequest();
    request.open('POST', field.dataset.uploadUrl + '?name=' + encodeURIComponent(file.name) +
      '&path=' + encodeURIComponent(field.dataset.path));
    request.setRequestHeader('content-type', 'application/octet-stream');
    request.upload.onprogress = function (event) {
      if (event.lengthComputable) progress.value = Math.round((100 * event.loaded) / event.total);
    };
    request.onload = function () {
      var body = parse(request.responseText);
      if (request.status !== 201) return fail(field, input, messageFor(body, messages));
      progress.value = 100;
      save(field, input, body, messages);
    };
    request.onerror = function () { fail(field, input, messages.failed); };
    request.send(file);
  }

  document.querySelectorAll('form.upload-form').forEach(function (form) {
    var field = document.getElementById(form.dataset.field);
    if (!field) return;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      upload(form, field);
    });
  });
})();
`;
