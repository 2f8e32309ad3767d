/* The worker's status page (docs/status-page.md). Plain ES2017, no build step, no third-party
 * requests. Order of work, which the tests hold it to:
 *   1. read the receipt from location.hash (never sent to any server by the browser);
 *   2. fetch the county's device PUBLIC keys (GET <base>/r/keys: the request carries no code);
 *   3. verify the Ed25519 signature here (tweetnacl, vendored) -> "not genuine" and stop, or
 *      show station and filing time and ask for the PIN;
 *   4. only then POST <base>/v1/status {code, pin} (body only, never the URL) and show the
 *      status in plain words: no names, employer, amounts or description ever reach this page.
 */
(function () {
  'use strict';

  var SIG_PREFIX = 'yizhan-receipt-v1\u0000';
  var ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

  var TEXT = {
    zh: {
      title: '查询办理进度', checking: '正在核对回执……',
      forged_title: '这不是真实的回执',
      forged_text: '二维码上的签名核对不上：这张回执不是站点自助机开具的，或者二维码被改动过。' +
        '请不要在这里输入查询密码。请带上纸质回执到服务站点咨询。',
      genuine: '✔ 回执真实有效（已核对签名）', code: '回执编号', station: '开具站点',
      filed: '提交时间', type_code_hint: '二维码无法扫描时，请输入回执上印的编号（如 ABCD-EFGH-JKM）。',
      pin: '查询密码（回执上的 6 位数字）', check: '查询',
      pin_hint: '密码只用于这次查询，不会保存在手机上。',
      next_step: '下一步', handled_by: '办理机构', deadline: '下一个法定期限', as_of: '更新时间',
      footer: '本页只显示办理进度，不显示姓名、单位或金额。如有疑问请到任一服务站点咨询。',
      lang: 'English',
      why_malformed: '二维码内容不完整或格式不对。', why_unknown_device: '开具回执的设备不属于本县。',
      why_signature: '签名不符。', why_keys: '暂时无法取得本县的设备公钥，请稍后再试。',
      bad_code: '回执编号不对：应为 11 位字母和数字，请核对回执后重新输入。',
      need_pin: '请输入 6 位查询密码。',
      wrong: '回执编号或查询密码不正确。请核对回执上的密码后再试。多次输错后回执会被锁定。',
      locked: '这张回执的查询密码错误次数太多，已被锁定。请带身份证件到任一服务站点，' +
        '请工作人员重新发放查询密码。',
      busy: '查询太频繁了，请稍等几分钟再试。',
      offline: '现在连不上县级中心，请检查网络后再试。',
      error: '查询没有成功，请稍后再试。',
      busy_btn: '正在查询……',
      deadline_on: '{what}：{date} 前'
    },
    en: {
      title: 'Check your case', checking: 'Checking the receipt…',
      forged_title: 'This is not a genuine receipt',
      forged_text: 'The signature in the QR code does not match: this receipt was not issued ' +
        'by a station kiosk, or the QR code has been changed. Do not type your PIN here. ' +
        'Take the paper receipt to a service station.',
      genuine: '✔ Genuine receipt (signature checked)', code: 'Receipt code',
      station: 'Station', filed: 'Filed at',
      type_code_hint: 'If the QR code cannot be scanned, type the code printed on the ' +
        'receipt (like ABCD-EFGH-JKM).',
      pin: 'PIN (the 6 digits on your receipt)', check: 'Check',
      pin_hint: 'The PIN is used for this check only and is not kept on this phone.',
      next_step: 'Next step', handled_by: 'Handled by', deadline: 'Next legal deadline',
      as_of: 'Updated',
      footer: 'This page shows only where your case stands: never names, employers or ' +
        'amounts. Any service station can help.',
      lang: '中文',
      why_malformed: 'The QR code is incomplete or not in the right format.',
      why_unknown_device: 'The device that issued it does not belong to this county.',
      why_signature: 'The signature does not match.',
      why_keys: 'The county\'s device keys cannot be fetched right now; try again later.',
      bad_code: 'That code is not right: it has 11 letters and digits. Please check the ' +
        'receipt and type it again.',
      need_pin: 'Please type the 6-digit PIN.',
      wrong: 'Receipt code or PIN not recognised. Check the PIN on your receipt and try ' +
        'again. After too many wrong PINs the receipt is locked.',
      locked: 'Too many wrong PINs for this receipt: it is locked. Take your ID to any ' +
        'service station and ask staff to issue a new PIN.',
      busy: 'Too many tries. Please wait a few minutes and try again.',
      offline: 'The county centre cannot be reached. Check your connection and try again.',
      error: 'The check did not work. Please try again later.',
      busy_btn: 'Checking…',
      deadline_on: '{what}: by {date}'
    }
  };

  // Status words the worker understands, and where to go. [zh, en]
  var STATUS = {
    provisional: ['已在站点提交，等待同步', 'Filed at the station, waiting to be sent',
      '记录保存在站点的自助机上，联网后送到县级中心。', 'The record is kept on the station kiosk ' +
      'and goes to the county centre at its next connection.'],
    received: ['县级中心已收到', 'Received by the county centre',
      '县级中心已收到您的材料，正在安排办理。', 'The county centre has your record and is ' +
      'arranging who handles it.'],
    needs_review: ['需要核实，请到站点咨询', 'Being checked: please ask at a station',
      '县级中心需要核实这份记录，暂时还没有受理。请带上回执和身份证件，到开具回执的站点或县劳动维权' +
      '服务中心咨询。', 'The county centre needs to check this record before taking it in. ' +
      'Take this receipt and your ID to the station that issued it, or to the county ' +
      'labour rights service centre.'],
    needs_materials: ['还需要补充材料', 'More documents needed',
      '办理还缺少材料。请带齐回执上列出的材料和身份证件，到任一服务站点补交。',
      'Some documents are still missing. Bring the documents listed on your receipt and ' +
      'your ID to any service station.'],
    in_mediation: ['调解中', 'In mediation',
      '调解组织正在处理，会通知您调解的时间和地点。', 'A mediation body is handling it and ' +
      'will tell you when and where to come.'],
    in_inspection: ['劳动监察处理中', 'With labour inspection',
      '劳动保障监察机构正在调查。', 'The labour inspection office is investigating.'],
    in_arbitration: ['仲裁中', 'In arbitration',
      '劳动人事争议仲裁委员会正在处理。', 'The labour dispute arbitration commission is ' +
      'handling it.'],
    with_legal_aid: ['法律援助中', 'With legal aid',
      '法律援助机构正在为您提供帮助。', 'A legal aid centre is helping you.'],
    in_court: ['法院审理中', 'In court', '案件在人民法院审理。', 'The case is before a court.'],
    settled: ['已调解成功', 'Settled', '已经达成协议。', 'An agreement has been reached.'],
    closed: ['已办结', 'Closed', '这件事已经办结。', 'This matter is closed.'],
    withdrawn: ['已撤回', 'Withdrawn', '申请已撤回。', 'The application was withdrawn.']
  };
  var BODY = {
    provisional: ['站点', 'The station'],
    received: ['县劳动维权服务中心', 'County labour rights service centre'],
    needs_review: ['县劳动维权服务中心', 'County labour rights service centre'],
    needs_materials: ['县劳动维权服务中心', 'County labour rights service centre'],
    in_mediation: ['劳动争议调解组织', 'Labour dispute mediation body'],
    in_inspection: ['劳动保障监察机构', 'Labour inspection office'],
    in_arbitration: ['劳动人事争议仲裁委员会', 'Labour dispute arbitration commission'],
    with_legal_aid: ['法律援助中心', 'Legal aid centre'],
    in_court: ['人民法院', 'People\'s court']
  };

  var lang = 'zh';
  var base = document.documentElement.getAttribute('data-base') || '';
  var code = null;        // the receipt code being looked up
  var claims = null;      // verified claims (QR path) or null (typed code path)
  var answer = null;      // last status answer
  var messageKey = null;

  function $(id) { return document.getElementById(id); }
  function t(key) { return TEXT[lang][key] || TEXT.zh[key] || key; }
  function show(id, on) { $(id).hidden = !on; }

  function b64uDecode(text) {
    if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) { throw new Error('b64'); }
    var s = text.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) { s += '='; }
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    // strict: re-encoding must give the same text (no stray low bits in the last character)
    var back = btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    if (back !== text) { throw new Error('b64'); }
    return out;
  }

  function utf8(bytes) { return new TextDecoder('utf-8', { fatal: true }).decode(bytes); }
  function ascii(text) {
    var out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { out[i] = text.charCodeAt(i); }
    return out;
  }

  function luhn32(data) {
    var factor = 2, total = 0;
    for (var i = data.length - 1; i >= 0; i--) {
      var addend = factor * ALPHABET.indexOf(data[i]);
      factor = factor === 2 ? 1 : 2;
      total += Math.floor(addend / 32) + addend % 32;
    }
    return ALPHABET[(32 - total % 32) % 32];
  }

  function parseCode(text) {
    var s = String(text).normalize('NFKC').toUpperCase().replace(/[\s\-\u200b]/g, '')
      .replace(/[IL]/g, '1').replace(/O/g, '0');
    if (s.length !== 11) { return null; }
    for (var i = 0; i < s.length; i++) { if (ALPHABET.indexOf(s[i]) < 0) { return null; } }
    return luhn32(s.slice(0, 10)) === s[10] ? s : null;
  }

  function formatCode(c) { return c.slice(0, 4) + '-' + c.slice(4, 8) + '-' + c.slice(8); }

  // "2026-11-21T02:00:00.000Z" -> China time, written out (no Intl time zones needed)
  function localTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return iso; }
    var c = new Date(d.getTime() + 8 * 3600 * 1000);
    var p = function (n) { return (n < 10 ? '0' : '') + n; };
    if (lang === 'zh') {
      return c.getUTCFullYear() + '年' + (c.getUTCMonth() + 1) + '月' + c.getUTCDate() + '日 ' +
        p(c.getUTCHours()) + ':' + p(c.getUTCMinutes());
    }
    return c.getUTCFullYear() + '-' + p(c.getUTCMonth() + 1) + '-' + p(c.getUTCDate()) + ' ' +
      p(c.getUTCHours()) + ':' + p(c.getUTCMinutes()) + ' (China time)';
  }

  // The receipt in the fragment: YZR2.<claims>.<signature> (YZR1 accepted too).
  function parseReceipt(fragment) {
    var parts = fragment.split('.');
    if (parts.length !== 3 || (parts[0] !== 'YZR2' && parts[0] !== 'YZR1')) { return null; }
    try {
      var body = b64uDecode(parts[1]);
      var sig = b64uDecode(parts[2]);
      var data = JSON.parse(utf8(body));
      var keys = Object.keys(data).sort().join(',');
      if (keys !== 'c,d,h,s,t' || sig.length !== 64) { return null; }
      for (var k in data) { if (typeof data[k] !== 'string') { return null; } }
      if (parseCode(data.c) !== data.c) { return null; }
      return { claims: data, body: body, sig: sig };
    } catch (e) {
      return null;
    }
  }

  function verify(parsed, keys) {
    var entry = keys[parsed.claims.d];
    if (!entry) { return 'why_unknown_device'; }
    var key = b64uDecode(entry.key);
    var prefix = ascii(SIG_PREFIX);
    var msg = new Uint8Array(prefix.length + parsed.body.length);
    msg.set(prefix, 0);
    msg.set(parsed.body, prefix.length);
    return window.nacl.sign.detached.verify(msg, parsed.sig, key) ? null : 'why_signature';
  }

  function forged(whyKey) {
    show('checking', false);
    show('forged', true);
    show('pin_form', false);
    $('forged_why').setAttribute('data-why', whyKey);
    render();
  }

  function render() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    var nodes = document.querySelectorAll('[data-t]');
    for (var i = 0; i < nodes.length; i++) {
      nodes[i].textContent = t(nodes[i].getAttribute('data-t'));
    }
    $('lang').textContent = t('lang');
    $('lang').lang = lang === 'zh' ? 'en' : 'zh-CN';
    document.title = t('title');
    var why = $('forged_why').getAttribute('data-why');
    $('forged_why').textContent = why ? t(why) : '';
    if (claims) {
      $('r_code').textContent = formatCode(claims.c);
      $('r_station').textContent = claims.s;
      $('r_filed').textContent = localTime(claims.t);
    }
    $('message_text').textContent = messageKey ? t(messageKey) : '';
    if (answer) { renderAnswer(); }
  }

  function renderAnswer() {
    var zh = lang === 'zh';
    var words = STATUS[answer.status] || [answer.status, answer.status, '', ''];
    $('s_status').textContent = zh ? words[0] : words[1];
    $('s_meaning').textContent = zh ? words[2] : words[3];
    var next = zh ? answer.next_step_zh : answer.next_step_en;
    $('s_next').textContent = next || (zh ? words[2] : words[3]);
    var by = answer.handled_by;  // the server's word on who handles it; else by status
    var body = by && by.zh ? [by.zh, by.en] : BODY[answer.status];
    var needs = answer.needs_materials;  // 需补正: fixed words, what to bring and where
    show('s_materials', !!needs);
    $('s_materials').textContent = needs ? (zh ? STATUS.needs_materials[0] + '：' + needs.zh
      : STATUS.needs_materials[1] + ': ' + needs.en) : '';
    show('s_body_label', !!body);
    show('s_body', !!body);
    $('s_body').textContent = body ? (zh ? body[0] : body[1]) : '';
    var dl = deadlineText(answer.next_deadline);
    show('s_deadline_label', !!dl);
    show('s_deadline', !!dl);
    $('s_deadline').textContent = dl || '';
    $('s_as_of').textContent = localTime(answer.as_of);
  }

  // The deadline engine's next running clock (docs/protocol.md, "Status answer"):
  // {due: 'YYYY-MM-DD', clock, what_zh, what_en, basis_zh, basis_en}; absent when none runs.
  function deadlineText(d) {
    if (!d || !d.due) { return ''; }
    var zh = lang === 'zh';
    var text = t('deadline_on').replace('{what}', (zh ? d.what_zh : d.what_en) || '')
      .replace('{date}', localDate(d.due));
    var basis = zh ? d.basis_zh : d.basis_en;
    return basis ? text + (zh ? '（' + basis + '）' : ' (' + basis + ')') : text;
  }

  function localDate(text) {
    return /^\d{4}-\d{2}-\d{2}$/.test(text) ? text : localTime(text);
  }

  function say(key) {
    messageKey = key;
    show('message', !!key);
    render();
  }

  function lookup(pin) {
    var button = $('pin_submit');
    button.disabled = true;
    button.setAttribute('data-t', 'busy_btn');
    say(null);
    fetch(base + '/v1/status', {
      method: 'POST', credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: code, pin: pin })
    }).then(function (res) {
      return res.json().then(function (data) { return [res.status, data]; },
        function () { return [res.status, null]; });
    }).then(function (pair) {
      var status = pair[0], data = pair[1];
      if (status === 200 && data) {
        answer = data;
        show('result', true);
        show('pin_form', false);
        show('enter_code', false);
        render();
      } else if (status === 404) {
        say('wrong');
      } else if (status === 423) {
        say('locked');
        show('pin_form', false);
      } else if (status === 429) {
        say('busy');
      } else {
        say('error');
      }
    }, function () {
      say('offline');
    }).then(function () {
      button.disabled = false;
      button.setAttribute('data-t', 'check');
      render();
      $('pin_input').value = '';
    });
  }

  function onSubmit(event) {
    event.preventDefault();
    if (!claims) {
      code = parseCode($('code_input').value);
      show('code_error', !code);
      $('code_error').textContent = code ? '' : t('bad_code');
      if (!code) { return; }
    }
    var pin = $('pin_input').value.normalize('NFKC').replace(/\s/g, '');
    if (!/^[0-9]{6}$/.test(pin)) { say('need_pin'); return; }
    lookup(pin);
  }

  function start() {
    $('lang').addEventListener('click', function () {
      lang = lang === 'zh' ? 'en' : 'zh';
      render();
    });
    $('pin_form').addEventListener('submit', onSubmit);
    var fragment = window.location.hash.replace(/^#/, '');
    if (!fragment) {  // /r/ typed by hand: the code from the paper receipt, then the PIN
      show('enter_code', true);
      show('pin_form', true);
      render();
      return;
    }
    show('checking', true);
    var parsed = parseReceipt(fragment);
    if (!parsed) { forged('why_malformed'); return; }
    fetch(base + '/r/keys', { credentials: 'omit', cache: 'no-store',
      referrerPolicy: 'no-referrer' })
      .then(function (res) {
        if (!res.ok) { throw new Error('keys ' + res.status); }
        return res.json();
      })
      .then(function (keys) {
        var why = verify(parsed, keys.devices || {});
        if (why) { forged(why); return; }
        claims = parsed.claims;
        code = claims.c;
        show('checking', false);
        show('receipt', true);
        show('pin_form', true);
        render();
      }, function () {
        show('checking', false);
        say('why_keys');
      });
  }

  start();
  render();
}());
