// patchwindow web console: renders the channel from /console/events (Server-Sent Events) and sends
// commands and button clicks as the user picked in "You are". Plain browser JavaScript, no build
// step, no dependencies; everything the page shows is built with DOM calls and textContent.
/* global document, window, location, fetch, EventSource, URLSearchParams */
'use strict';

(function consoleApp() {
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  const USER_KEY = 'patchwindow.console.user';
  const RECONNECT_MS = 5000;

  const ui = {
    channelName: document.getElementById('channel-name'),
    status: document.getElementById('connection-status'),
    banner: document.getElementById('banner'),
    messages: document.getElementById('messages'),
    empty: document.getElementById('empty-state'),
    youAre: document.getElementById('you-are'),
    form: document.getElementById('command-form'),
    input: document.getElementById('command-input'),
    send: document.getElementById('command-send'),
  };

  const state = {
    users: [],
    user: null,
    /** id → { message, element } for every message on the page (top-level and replies). */
    messages: new Map(),
    /** Replies whose thread's message has not arrived yet: parent id → messages. */
    orphans: new Map(),
    history: [],
    historyIndex: 0,
  };

  // ---- talking to the bot ----

  function withToken(path) {
    return token === null ? path : `${path}?token=${encodeURIComponent(token)}`;
  }

  function authHeaders(extra) {
    const headers = Object.assign({}, extra);
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    return headers;
  }

  /** POSTs JSON; always resolves to { ok, text } so every outcome can be shown as a note. */
  async function postJson(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: 'POST',
        headers: authHeaders({ 'Content-Type': 'application/json' }),
        body: JSON.stringify(body),
      });
    } catch (error) {
      return { ok: false, text: `Could not reach the bot: ${error instanceof Error ? error.message : String(error)}` };
    }
    const answer = await response.json().catch(() => null);
    if (response.ok && answer !== null && typeof answer.text === 'string') return { ok: answer.ok === true, text: answer.text };
    const reason = answer !== null && typeof answer.error === 'string' ? answer.error : answer !== null && typeof answer.text === 'string' ? answer.text : '';
    return { ok: false, text: `${response.status} ${response.statusText}${reason === '' ? '' : `: ${reason}`}` };
  }

  async function loadState() {
    const response = await fetch('/console/state', { headers: authHeaders({}) });
    if (!response.ok) {
      const hint = response.status === 401 ? ' Open the console with ?token=<console token> in the address.' : '';
      throw new Error(`The bot refused the console (${response.status} ${response.statusText}).${hint}`);
    }
    return response.json();
  }

  function connect() {
    setStatus('connecting', 'connecting…');
    const events = new EventSource(withToken('/console/events'));
    events.addEventListener('snapshot', (event) => {
      applySnapshot(JSON.parse(event.data).messages);
      setStatus('live', 'live');
    });
    events.addEventListener('message', (event) => {
      const { message } = JSON.parse(event.data);
      keepScrolledDown(() => {
        upsert(message);
      });
    });
    events.addEventListener('remove', (event) => {
      for (const id of JSON.parse(event.data).ids) remove(id);
      refreshEmptyState();
    });
    events.addEventListener('error', () => {
      if (events.readyState === EventSource.CLOSED) {
        // The browser gave up (the bot refused or is gone): try again ourselves, a little later.
        setStatus('offline', 'offline');
        events.close();
        window.setTimeout(connect, RECONNECT_MS);
      } else {
        setStatus('reconnecting', 'reconnecting…');
      }
    });
  }

  // ---- the channel ----

  function applySnapshot(messages) {
    const present = new Set(messages.map((message) => message.id));
    for (const id of [...state.messages.keys()]) {
      if (!present.has(id)) remove(id);
    }
    keepScrolledDown(() => {
      for (const message of messages) upsert(message);
    });
    refreshEmptyState();
  }

  /** Adds a message, or replaces the content of one already shown (keeping its place). */
  function upsert(message) {
    const known = state.messages.get(message.id);
    if (known !== undefined) {
      if (message.version < known.message.version) return;
      known.message = message;
      fillMessage(known.element, message);
      return;
    }
    if (message.threadId === null) {
      const group = document.createElement('section');
      group.className = 'message-group';
      group.dataset.id = message.id;
      const element = createMessageElement(message);
      group.append(element, createThread());
      ui.messages.append(group);
      state.messages.set(message.id, { message, element, group });
      const waiting = state.orphans.get(message.id);
      if (waiting !== undefined) {
        state.orphans.delete(message.id);
        for (const reply of waiting) upsert(reply);
      }
    } else {
      const parent = state.messages.get(message.threadId);
      if (parent === undefined || parent.group === undefined) {
        const waiting = state.orphans.get(message.threadId) ?? [];
        waiting.push(message);
        state.orphans.set(message.threadId, waiting);
        return;
      }
      const element = createMessageElement(message);
      element.classList.add('reply');
      parent.group.querySelector('.thread-replies').append(element);
      state.messages.set(message.id, { message, element, group: undefined });
      updateThread(parent.group);
    }
    refreshEmptyState();
  }

  function remove(id) {
    const known = state.messages.get(id);
    if (known === undefined) return;
    state.messages.delete(id);
    if (known.group !== undefined) {
      known.group.remove();
      return;
    }
    const group = known.element.closest('.message-group');
    known.element.remove();
    if (group !== null) updateThread(group);
  }

  function createThread() {
    const thread = document.createElement('div');
    thread.className = 'thread';
    thread.hidden = true;
    const toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'thread-toggle';
    toggle.setAttribute('aria-expanded', 'true');
    const replies = document.createElement('div');
    replies.className = 'thread-replies';
    toggle.addEventListener('click', () => {
      const expanded = toggle.getAttribute('aria-expanded') === 'true';
      toggle.setAttribute('aria-expanded', String(!expanded));
      replies.hidden = expanded;
    });
    thread.append(toggle, replies);
    return thread;
  }

  function updateThread(group) {
    const thread = group.querySelector('.thread');
    const count = group.querySelectorAll('.thread-replies > .message').length;
    thread.hidden = count === 0;
    thread.dataset.count = String(count);
    thread.querySelector('.thread-toggle').textContent = count === 1 ? '1 reply' : `${count} replies`;
  }

  function createMessageElement(message) {
    const element = document.createElement('article');
    element.className = 'message';
    element.dataset.id = message.id;
    if (message.threadId !== null) element.dataset.threadId = message.threadId;
    fillMessage(element, message);
    return element;
  }

  function fillMessage(element, message) {
    element.dataset.version = String(message.version);
    element.setAttribute('aria-label', message.fallbackText);

    const avatar = document.createElement('div');
    avatar.className = 'avatar';
    avatar.setAttribute('aria-hidden', 'true');
    avatar.textContent = 'PW';

    const content = document.createElement('div');
    content.className = 'message-content';
    const meta = document.createElement('div');
    meta.className = 'message-meta';
    const author = document.createElement('span');
    author.className = 'author';
    author.textContent = 'patchwindow';
    const badge = document.createElement('span');
    badge.className = 'app-badge';
    badge.textContent = 'APP';
    const time = document.createElement('time');
    time.dateTime = message.createdAt;
    time.textContent = shortTime(message.createdAt);
    time.title = message.version > 1 ? `posted ${longTime(message.createdAt)}, updated ${longTime(message.updatedAt)}` : longTime(message.createdAt);
    meta.append(author, badge, time);
    content.append(meta);

    const blocks = Array.isArray(message.blocks) ? message.blocks : [];
    for (const block of blocks) {
      const rendered = renderBlock(block);
      if (rendered !== null) content.append(rendered);
    }
    if (blocks.length === 0) content.append(renderBlock({ kind: 'text', text: message.fallbackText }));

    element.replaceChildren(avatar, content);
  }

  function renderBlock(block) {
    switch (block.kind) {
      case 'header': {
        const header = document.createElement('div');
        header.className = 'block block-header';
        header.textContent = block.text;
        return header;
      }
      case 'text':
      case 'context': {
        const text = document.createElement('div');
        text.className = `block block-${block.kind}`;
        appendMarkup(text, block.text);
        return text;
      }
      case 'lines': {
        const list = document.createElement('ul');
        list.className = 'block block-lines';
        for (const line of block.lines) {
          const item = document.createElement('li');
          appendMarkup(item, line);
          list.append(item);
        }
        return list;
      }
      case 'actions': {
        const actions = document.createElement('div');
        actions.className = 'block actions';
        for (const action of block.actions) actions.append(renderAction(action));
        return actions;
      }
      default:
        return null;
    }
  }

  function renderAction(action) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'action-button';
    button.dataset.action = action.action;
    button.dataset.value = action.value;
    button.dataset.style = action.style;
    button.textContent = action.label;
    button.addEventListener('click', () => {
      void clickAction(button, action);
    });
    return button;
  }

  /** `code` and *bold*, the only markup messages use; everything else is plain text. */
  function appendMarkup(parent, text) {
    const markup = /`([^`\n]+)`|\*([^*\s](?:[^*\n]*[^*\s])?)\*/g;
    let last = 0;
    for (let match = markup.exec(text); match !== null; match = markup.exec(text)) {
      if (match.index > last) parent.append(text.slice(last, match.index));
      const element = document.createElement(match[1] === undefined ? 'strong' : 'code');
      element.textContent = match[1] ?? match[2];
      parent.append(element);
      last = markup.lastIndex;
    }
    if (last < text.length) parent.append(text.slice(last));
  }

  // ---- what the user does ----

  async function clickAction(button, action) {
    if (action.confirm !== undefined && action.confirm !== '' && !window.confirm(action.confirm)) return;
    const user = state.user;
    if (user === null) return;
    button.disabled = true;
    const note = addNote(user, `You clicked “${action.label}”`);
    try {
      fillNote(note, await postJson('/console/action', { as: user, action: action.action, value: action.value }));
    } finally {
      button.disabled = false;
    }
  }

  async function sendCommand(text) {
    const user = state.user;
    if (user === null) return;
    const note = addNote(user, `/patchwindow ${text}`);
    fillNote(note, await postJson('/console/command', { as: user, text }));
  }

  /** A note only `user` sees, placed in the channel at the moment it was asked for. */
  function addNote(user, request) {
    const note = document.createElement('div');
    note.className = 'private-note';
    note.dataset.user = user;
    note.dataset.state = 'pending';
    note.hidden = user !== state.user;
    const label = document.createElement('div');
    label.className = 'private-note-label';
    label.textContent = `Only visible to you (${user})`;
    const asked = document.createElement('div');
    asked.className = 'private-note-request';
    asked.textContent = request;
    const text = document.createElement('div');
    text.className = 'private-note-text';
    text.textContent = 'Working…';
    const dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.className = 'private-note-dismiss';
    dismiss.setAttribute('aria-label', 'Dismiss');
    dismiss.textContent = '×';
    dismiss.addEventListener('click', () => {
      note.remove();
      refreshEmptyState();
    });
    note.append(label, asked, text, dismiss);
    ui.messages.append(note);
    refreshEmptyState();
    scrollDown();
    return note;
  }

  function fillNote(note, reply) {
    const text = note.querySelector('.private-note-text');
    text.replaceChildren();
    appendMarkup(text, reply.text);
    note.dataset.ok = String(reply.ok);
    note.dataset.state = 'done';
    if (!note.hidden) scrollDown();
  }

  function selectUser(user) {
    state.user = user;
    ui.youAre.value = user;
    document.body.dataset.user = user;
    try {
      window.localStorage.setItem(USER_KEY, user);
    } catch {
      // Storage may be off; the choice then lasts for this page only.
    }
    for (const note of ui.messages.querySelectorAll('.private-note')) note.hidden = note.dataset.user !== user;
    refreshEmptyState();
  }

  function initialUser(users) {
    const fromUrl = params.get('as');
    if (fromUrl !== null && users.includes(fromUrl)) return fromUrl;
    const stored = storedUser();
    return stored !== null && users.includes(stored) ? stored : users[0];
  }

  function storedUser() {
    try {
      return window.localStorage.getItem(USER_KEY);
    } catch {
      return null;
    }
  }

  function wireComposer() {
    ui.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = ui.input.value.trim();
      if (text === '' || state.user === null) return;
      state.history.push(text);
      state.historyIndex = state.history.length;
      ui.input.value = '';
      void sendCommand(text);
    });
    ui.input.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
      if (state.history.length === 0) return;
      event.preventDefault();
      const step = event.key === 'ArrowUp' ? -1 : 1;
      state.historyIndex = Math.min(state.history.length, Math.max(0, state.historyIndex + step));
      ui.input.value = state.history[state.historyIndex] ?? '';
    });
    ui.youAre.addEventListener('change', () => {
      selectUser(ui.youAre.value);
    });
  }

  // ---- small helpers ----

  function setStatus(name, text) {
    ui.status.dataset.state = name;
    ui.status.textContent = text;
  }

  function showBanner(text) {
    ui.banner.textContent = text;
    ui.banner.hidden = false;
  }

  function refreshEmptyState() {
    const visibleNote = [...ui.messages.querySelectorAll('.private-note')].some((note) => !note.hidden);
    ui.empty.hidden = state.messages.size > 0 || visibleNote;
  }

  function isScrolledDown() {
    return ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 80;
  }

  function scrollDown() {
    ui.messages.scrollTop = ui.messages.scrollHeight;
  }

  /** Runs `change` and follows the newest message, unless the reader had scrolled up. */
  function keepScrolledDown(change) {
    const follow = isScrolledDown();
    change();
    if (follow) scrollDown();
  }

  function shortTime(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  function longTime(iso) {
    return new Date(iso).toLocaleString();
  }

  // ---- start ----

  async function start() {
    wireComposer();
    let initial;
    try {
      initial = await loadState();
    } catch (error) {
      setStatus('offline', 'offline');
      showBanner(error instanceof Error ? error.message : String(error));
      return;
    }
    state.users = initial.users;
    if (typeof initial.channel === 'string') {
      ui.channelName.textContent = initial.channel;
      document.title = initial.channel;
    }
    for (const user of state.users) {
      const option = document.createElement('option');
      option.value = user;
      option.textContent = user;
      ui.youAre.append(option);
    }
    selectUser(initialUser(state.users));
    connect();
    ui.input.focus();
  }

  void start();
})();
