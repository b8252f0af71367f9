// EchoEmotion page: a photo (file, drop or camera) -> POST /api/analyze -> faces boxed and labelled,
// the emotion's probabilities -> GET /api/recommend -> a playlist with like / skip (POST /api/feedback).
"use strict";

const PAGE_SIZE = 8;
const KNOWN_EMOTIONS = ["angry", "happy", "neutral", "sad"];

const $ = (id) => document.getElementById(id);
const state = {
  analysis: null,   // the last /api/analyze answer
  selected: -1,     // -1: every face (the overall emotion); else one face's index
  emotion: "",
  mode: "match",
  songs: [],        // shown so far, in order
  feedback: 0,
  stream: null,     // the camera, while it is open
};

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "className") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function emotionClass(name) { return KNOWN_EMOTIONS.includes(name) ? name : "neutral"; }
function percent(p) { return `${Math.round(p * 100)}%`; }

function say(text, isError = false) {
  const message = $("message");
  message.textContent = text;
  message.classList.toggle("error", isError);
}

function busy(on, text = "Reading faces…") {
  $("busy").hidden = !on;
  $("busy-text").textContent = text;
}

// fetch + JSON; a non-2xx answer throws its {"error"} message.
async function api(path, options = {}) {
  const response = await fetch(path, options);
  let body = null;
  try { body = await response.json(); } catch (_) { /* not JSON: reported below */ }
  if (!response.ok) throw new Error(body && body.error ? body.error : `${response.status} ${response.statusText}`);
  return body;
}

async function checkHealth() {
  const badge = $("health");
  try {
    const health = await api("/api/health");
    badge.textContent = `${health.songs} songs · ${health.classes.length} emotions`;
    badge.className = "health ok";
  } catch (error) {
    badge.textContent = "server unreachable";
    badge.className = "health bad";
  }
}

// ---- photo in -------------------------------------------------------------------------------

async function analyzeBlob(blob) {
  stopCamera();
  if (!blob.type.startsWith("image/") && blob.type !== "") { say("That file is not an image.", true); return; }
  const url = URL.createObjectURL(blob);
  const photo = $("photo");
  photo.src = url;
  $("placeholder").hidden = true;
  $("photo-frame").hidden = false;
  $("stage").classList.remove("empty");
  $("boxes").replaceChildren();
  $("face-chips").replaceChildren();
  say("");
  busy(true);
  try {
    const analysis = await api("/api/analyze", { method: "POST", body: blob,
      headers: { "Content-Type": blob.type || "application/octet-stream" } });
    state.analysis = analysis;
    if (!analysis.faces.length) {
      showEmotion(null);
      clearPlaylist("No face found. Try a photo where the face looks at the camera, in good light.");
      say("No face found in this photo.", true);
      return;
    }
    say(`${analysis.faces.length} face${analysis.faces.length === 1 ? "" : "s"} found.`);
    drawFaces(analysis);
    select(-1);
  } catch (error) {
    state.analysis = null;
    showEmotion(null);
    clearPlaylist("");
    say(`Could not read the photo: ${error.message}`, true);
  } finally {
    busy(false);
  }
}

function drawFaces(analysis) {
  const boxes = $("boxes");
  const chips = $("face-chips");
  boxes.replaceChildren();
  chips.replaceChildren();
  const { width, height } = analysis;
  if (analysis.faces.length > 1)
    chips.append(el("button", { className: "chip", type: "button", "aria-pressed": "true", "data-face": "-1",
                                onclick: () => select(-1) }, ["All faces"]));
  analysis.faces.forEach((face, i) => {
    const label = `${face.emotion} ${percent(face.probability)}`;
    const box = el("button", { className: `face-box ${emotionClass(face.emotion)}`, type: "button",
                               "data-face": String(i), "aria-label": `Face ${i + 1}: ${label}`,
                               onclick: () => select(i) }, [el("span", { className: "face-label", text: label })]);
    box.style.left = `${(100 * face.box.x) / width}%`;
    box.style.top = `${(100 * face.box.y) / height}%`;
    box.style.width = `${(100 * face.box.w) / width}%`;
    box.style.height = `${(100 * face.box.h) / height}%`;
    if (face.box.y < 0.08 * height) box.classList.add("label-below");
    boxes.append(box);
    chips.append(el("button", { className: `chip ${emotionClass(face.emotion)}`, type: "button",
                                "aria-pressed": "false", "data-face": String(i), onclick: () => select(i) },
                    [el("span", { className: "dot" }), `Face ${i + 1} · ${label}`]));
  });
}

// Shows one face's emotion (or the overall one) and loads its playlist.
function select(index) {
  const analysis = state.analysis;
  if (!analysis || !analysis.faces.length) return;
  state.selected = analysis.faces.length === 1 ? 0 : index;
  const subject = state.selected < 0 ? analysis.overall : analysis.faces[state.selected];
  for (const node of document.querySelectorAll("[data-face]")) {
    const mine = Number(node.dataset.face) === state.selected;
    if (node.classList.contains("chip")) node.setAttribute("aria-pressed", String(mine));
    else node.classList.toggle("selected", mine && analysis.faces.length > 1);
  }
  $("mood-scope").textContent = analysis.faces.length === 1 ? "one face"
    : state.selected < 0 ? `averaged over ${analysis.faces.length} faces` : `face ${state.selected + 1}`;
  showEmotion(subject, analysis.classes);
  loadPlaylist(subject.emotion, false);
}

function showEmotion(subject, classes = KNOWN_EMOTIONS) {
  const box = $("emotion");
  const list = $("probabilities");
  list.replaceChildren();
  box.className = "emotion";
  if (!subject) {
    box.classList.add("empty");
    $("emotion-name").textContent = "—";
    $("emotion-confidence").textContent = "";
    $("mood-scope").textContent = "";
    return;
  }
  box.classList.add(emotionClass(subject.emotion));
  $("emotion-name").textContent = subject.emotion;
  $("emotion-confidence").textContent = `${percent(subject.probability)} sure`;
  for (const name of classes) {
    const p = subject.probabilities[name] || 0;
    const fill = el("span", { className: "bar-fill" });
    list.append(el("li", { className: `bar ${emotionClass(name)}${name === subject.emotion ? " is-top" : ""}` }, [
      el("span", { className: "bar-name", text: name }),
      el("span", { className: "bar-track" }, [fill]),
      el("span", { className: "bar-value", text: percent(p) }),
    ]));
    requestAnimationFrame(() => { fill.style.width = `${(100 * p).toFixed(1)}%`; });
  }
}

// ---- playlist -------------------------------------------------------------------------------

function clearPlaylist(note) {
  state.songs = [];
  state.emotion = "";
  $("playlist").replaceChildren();
  $("playlist-note").textContent = note;
  $("playlist-note").hidden = !note;
  $("more-button").disabled = true;
}

async function loadPlaylist(emotion, append) {
  if (!append) clearPlaylist("");
  state.emotion = emotion;
  const more = $("more-button");
  more.disabled = true;
  try {
    const query = new URLSearchParams({ emotion, n: String(PAGE_SIZE), mode: state.mode });
    const answer = await api(`/api/recommend?${query}`);
    if (emotion !== state.emotion) return;  // a newer selection won
    $("playlist-note").textContent = `${answer.mode === "lift" ? "Lifting" : "Matching"} ${answer.emotion}: ` +
      `${answer.mood} songs${answer.mode === "lift" ? ", walking toward happier ones" : ""}.`;
    $("playlist-note").hidden = false;
    for (const song of answer.songs) addSong(song);
    more.disabled = false;
  } catch (error) {
    say(`Could not load songs: ${error.message}`, true);
    more.disabled = !state.emotion;
  }
}

function addSong(song) {
  state.songs.push(song);
  const title = song.name || song.uri;
  const meta = [song.artist, song.album].filter(Boolean).join(" · ") || song.mood;
  const like = el("button", { className: "icon-button like", type: "button", "aria-pressed": "false",
                              title: "More like this", text: "Like" });
  const skip = el("button", { className: "icon-button skip", type: "button", "aria-pressed": "false",
                              title: "Fewer like this", text: "Skip" });
  const row = el("li", { className: "song", "data-uri": song.uri }, [
    el("div", { className: "song-main" }, [
      el("a", { className: "song-title", href: song.link, target: "_blank", rel: "noopener noreferrer", text: title }),
      el("span", { className: "song-meta", text: `${meta} · valence ${song.valence.toFixed(2)}, energy ${song.energy.toFixed(2)}` }),
    ]),
    el("div", { className: "song-actions" }, [
      like, skip,
      el("a", { className: "icon-button open", href: song.link, target: "_blank", rel: "noopener noreferrer",
                title: "Open in Spotify", "aria-label": `Open ${title} in Spotify`, text: "Play" }),
    ]),
  ]);
  like.addEventListener("click", () => sendFeedback(song, "like", row, like, skip));
  skip.addEventListener("click", () => sendFeedback(song, "skip", row, like, skip));
  $("playlist").append(row);
}

async function sendFeedback(song, action, row, like, skip) {
  try {
    const answer = await api("/api/feedback", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ uri: song.uri, action, emotion: state.emotion }) });
    like.setAttribute("aria-pressed", String(action === "like"));
    skip.setAttribute("aria-pressed", String(action === "skip"));
    row.classList.toggle("liked", action === "like");
    row.classList.toggle("skipped", action === "skip");
    $("feedback-count").textContent = `${answer.liked} liked · ${answer.skipped} skipped — later playlists learn from this`;
  } catch (error) {
    say(`Could not save that: ${error.message}`, true);
  }
}

// ---- camera ---------------------------------------------------------------------------------

async function startCamera() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    say("This browser cannot use a camera here (it needs https or localhost).", true);
    return;
  }
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false });
  } catch (error) {
    say(`No camera: ${error.message}`, true);
    return;
  }
  const video = $("camera");
  video.srcObject = state.stream;
  await video.play().catch(() => {});
  $("placeholder").hidden = true;
  $("photo-frame").hidden = true;
  video.hidden = false;
  $("stage").classList.remove("empty");
  $("camera-controls").hidden = false;
  say("Look at the camera, then take the photo.");
}

function stopCamera() {
  if (state.stream) for (const track of state.stream.getTracks()) track.stop();
  state.stream = null;
  $("camera").hidden = true;
  $("camera-controls").hidden = true;
}

function capture() {
  const video = $("camera");
  if (!video.videoWidth) { say("The camera is not ready yet.", true); return; }
  const canvas = $("snapshot");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  canvas.toBlob((blob) => blob && analyzeBlob(blob), "image/jpeg", 0.92);
}

function cancelCamera() {
  stopCamera();
  const hasPhoto = Boolean(state.analysis);
  $("photo-frame").hidden = !hasPhoto;
  $("placeholder").hidden = hasPhoto;
  $("stage").classList.toggle("empty", !hasPhoto);
  say("");
}

// ---- wiring ---------------------------------------------------------------------------------

function wire() {
  $("file-input").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (file) analyzeBlob(file);
    event.target.value = "";
  });
  $("camera-button").addEventListener("click", startCamera);
  $("capture-button").addEventListener("click", capture);
  $("camera-cancel").addEventListener("click", cancelCamera);
  $("more-button").addEventListener("click", () => state.emotion && loadPlaylist(state.emotion, true));
  for (const radio of document.querySelectorAll('input[name="mode"]'))
    radio.addEventListener("change", () => {
      state.mode = radio.value;
      if (state.emotion) loadPlaylist(state.emotion, false);
    });
  const stage = $("stage");
  stage.addEventListener("dragover", (event) => { event.preventDefault(); stage.classList.add("dragging"); });
  stage.addEventListener("dragleave", () => stage.classList.remove("dragging"));
  stage.addEventListener("drop", (event) => {
    event.preventDefault();
    stage.classList.remove("dragging");
    const file = event.dataTransfer.files[0];
    if (file) analyzeBlob(file);
  });
  checkHealth();
}

wire();
