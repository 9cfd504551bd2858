// LiveBlend's LiveAPI adapter, for Max's [js] object (ES5: Max's [js] has no let, const,
// arrows or classes). It is the only part of the device that touches the Live Object Model:
// it watches what the device script needs to follow the show and sends it plain messages
// (m4l-device/MESSAGES.md, "Into node.script"), and sets this track's sends when node asks.
//
// LiveAPI must not be touched while the device loads, so nothing starts before
// live.thisdevice bangs (bang below). Every LiveAPI object made here is kept in one list so
// that a second bang or the device's deletion can take all observers down again.

autowatch = 0;
inlets = 1;
outlets = 1;

/** current_song_time changes every audio block while playing; node needs it at most this often. */
var SONG_TIME_INTERVAL_MS = 50;
/** Steps of the search for the send value that Live displays as the wanted dB (see sendValueFor). */
var SEND_SEARCH_STEPS = 24;

var observers = [];
var sceneObservers = [];
var trackObservers = [];
var cueObservers = [];
var sceneNames = [];
var cuePoints = [];
var song = null;
var ownTrack = null;
var lastSongTimeAt = -1e15;

function bang() {
	stop();
	start();
}

function notifydeleted() {
	stop();
}

function send_level(returnName, db) {
	if (!ownTrack) {
		post("liveblend: send_level before the device started; ignored\n");
		return;
	}
	var returnIndex = findReturnTrack(String(returnName));
	if (returnIndex < 0) {
		post("liveblend: no return track named '" + returnName + "'; send not set\n");
		return;
	}
	var send = new LiveAPI(null, trackPath(ownTrack) + " mixer_device sends " + returnIndex);
	if (!send.id || Number(send.id) === 0) {
		post("liveblend: this track has no send to '" + returnName + "'\n");
		return;
	}
	var wanted = parseDb(db);
	if (wanted === null) {
		post("liveblend: send level '" + db + "' is not a number of dB or -inf\n");
		return;
	}
	send.set("value", sendValueFor(send, wanted));
}

function start() {
	song = watch("live_set", null);
	outlet(0, "live_ready");
	outlet(0, "set_name", setName());

	ownTrack = watch("this_device canonical_parent", null);
	sendOwnTrack();
	watch(trackPath(ownTrack), "name", sendOwnTrack);
	watch(trackPath(ownTrack), routingProperty(ownTrack), function (args) {
		outlet(0, "routing", routingName(args.slice(1)));
	});

	watch("live_set", "tempo", function (args) {
		outlet(0, "tempo", Number(args[1]));
	});
	watch("live_set", "signature_numerator", sendSignature);
	watch("live_set", "signature_denominator", sendSignature);
	watch("live_set", "is_playing", function (args) {
		var playing = Number(args[1]) ? 1 : 0;
		outlet(0, "playing", playing);
		// Stopping ends the throttle: node must see where the transport came to rest.
		if (!playing) sendSongTime(firstNumber(song.get("current_song_time")), true);
	});
	watch("live_set", "current_song_time", function (args) {
		sendSongTime(Number(args[1]), false);
	});
	watch("live_set", "scenes", rebuildScenes);
	watch("live_set", "tracks", rebuildTracks);
	watch("live_set", "cue_points", rebuildCuePoints);
}

function stop() {
	dropAll(sceneObservers);
	dropAll(trackObservers);
	dropAll(cueObservers);
	dropAll(observers);
	sceneObservers = [];
	trackObservers = [];
	cueObservers = [];
	observers = [];
	sceneNames = [];
	cuePoints = [];
	song = null;
	ownTrack = null;
	lastSongTimeAt = -1e15;
}

/**
 * A LiveAPI object on `path`, kept for teardown. With a property, `onChange` gets LiveAPI's
 * callback arguments ([property, value...]); Live calls it once at once with the current value.
 */
function watch(path, property, onChange, list) {
	var api = new LiveAPI(function (args) {
		if (property && args && args[0] === property) onChange(args);
	}, path);
	(list || observers).push(api);
	if (property) api.property = property;
	return api;
}

function dropAll(list) {
	for (var i = 0; i < list.length; i++) {
		list[i].property = "";
		list[i].id = 0;
	}
}

function rebuildScenes() {
	dropAll(sceneObservers);
	sceneObservers = [];
	var count = song.getcount("scenes");
	sceneNames = [];
	for (var i = 0; i < count; i++) sceneNames.push(text(new LiveAPI(null, "live_set scenes " + i).get("name")));
	outlet(0, "scenes", JSON.stringify(sceneNames));
	for (var s = 0; s < count; s++) watchScene(s);
}

function watchScene(index) {
	var path = "live_set scenes " + index;
	watch(path, "is_triggered", function (args) {
		if (Number(args[1]) === 1) outlet(0, "scene_triggered", index);
	}, sceneObservers);
	watch(path, "name", function (args) {
		var name = text(args.slice(1));
		if (sceneNames[index] === name) return;
		sceneNames[index] = name;
		outlet(0, "scenes", JSON.stringify(sceneNames));
	}, sceneObservers);
}

function rebuildTracks() {
	dropAll(trackObservers);
	trackObservers = [];
	var count = song.getcount("tracks");
	for (var i = 0; i < count; i++) watchTrack(i);
	sendOwnTrack();
}

function watchTrack(index) {
	var known = null;
	watch("live_set tracks " + index, "playing_slot_index", function (args) {
		var slot = Number(args[1]);
		// The first call reports what is already playing; an idle track has nothing to say yet.
		if (known === null && slot < 0) {
			known = slot;
			return;
		}
		if (slot === known) return;
		known = slot;
		outlet(0, "playing_slot", index, slot);
	}, trackObservers);
}

function rebuildCuePoints() {
	dropAll(cueObservers);
	cueObservers = [];
	var count = song.getcount("cue_points");
	cuePoints = [];
	for (var i = 0; i < count; i++) {
		var cue = new LiveAPI(null, "live_set cue_points " + i);
		cuePoints.push({ name: text(cue.get("name")), time: firstNumber(cue.get("time")) });
	}
	sendCuePoints();
	for (var c = 0; c < count; c++) watchCuePoint(c);
}

function watchCuePoint(index) {
	var path = "live_set cue_points " + index;
	watch(path, "name", function (args) {
		var name = text(args.slice(1));
		if (cuePoints[index].name === name) return;
		cuePoints[index].name = name;
		sendCuePoints();
	}, cueObservers);
	watch(path, "time", function (args) {
		var time = Number(args[1]);
		if (cuePoints[index].time === time) return;
		cuePoints[index].time = time;
		sendCuePoints();
	}, cueObservers);
}

function sendCuePoints() {
	outlet(0, "cue_points", JSON.stringify(cuePoints));
}

function sendSongTime(beats, always) {
	var now = Date.now();
	if (!always && now - lastSongTimeAt < SONG_TIME_INTERVAL_MS) return;
	lastSongTimeAt = now;
	outlet(0, "song_time", beats);
}

/** Either half of the time signature changed: node needs both (bars are numerator × 4 / denominator beats). */
function sendSignature() {
	outlet(0, "signature", firstNumber(song.get("signature_numerator")), firstNumber(song.get("signature_denominator")));
}

function sendOwnTrack() {
	var path = trackPath(ownTrack);
	var match = /^live_set tracks (\d+)$/.exec(path);
	outlet(0, "track", match ? Number(match[1]) : -1, text(ownTrack.get("name")));
}

/** LiveAPI quotes paths ("\"live_set tracks 2\""); the adapter builds on the bare form. */
function trackPath(api) {
	return String(api.unquotedpath || api.path).replace(/^"|"$/g, "");
}

/** Live 11 and later name the routing in output_routing_type; older sets only have current_output_routing. */
function routingProperty(track) {
	var modern = track.get("output_routing_type");
	return modern && modern.length ? "output_routing_type" : "current_output_routing";
}

/** output_routing_type arrives as a JSON dictionary holding display_name; the older property as plain text. */
function routingName(values) {
	var joined = text(values);
	if (joined.charAt(0) !== "{") return joined;
	var parsed = JSON.parse(joined);
	var routing = parsed.output_routing_type || parsed;
	return String(routing.display_name || "");
}

function setName() {
	var name = song.get("name");
	return name && name.length ? text(name) : "";
}

function findReturnTrack(name) {
	var count = song.getcount("return_tracks");
	for (var i = 0; i < count; i++) {
		if (text(new LiveAPI(null, "live_set return_tracks " + i).get("name")) === name) return i;
	}
	return -1;
}

/**
 * Live's send knob runs over the parameter value 0..1, and its dB law is not a formula Live
 * publishes: the upper part is straight in dB (reported as 0 dB at 1.0, about 40 dB per unit)
 * and the lower part bends down to -inf at 0. Rather than copy an empirical curve that a Live
 * update could change, ask the parameter itself: str_for_value gives the text Live shows for a
 * value ("-12.0 dB", "-inf dB"), and the law is monotonic, so a bisection on that text finds the
 * value Live itself displays as the wanted level, to within 1/2^24 of the knob's range.
 */
function sendValueFor(send, db) {
	var low = firstNumber(send.get("min"));
	var high = firstNumber(send.get("max"));
	if (db === -Infinity) return low;
	if (displayedDb(send, high) <= db) return high;
	for (var step = 0; step < SEND_SEARCH_STEPS; step++) {
		var middle = (low + high) / 2;
		if (displayedDb(send, middle) < db) low = middle;
		else high = middle;
	}
	return high;
}

function displayedDb(send, value) {
	var shown = parseDb(text([send.call("str_for_value", value)]));
	return shown === null ? -Infinity : shown;
}

/** "-12", -12, "-12.0 dB", "-inf", "-inf dB" → a number of dB (−Infinity for -inf); null if none. */
function parseDb(value) {
	if (typeof value === "number") return isFinite(value) ? value : null;
	var textValue = String(value).replace(/\s*dB$/, "");
	if (textValue === "-inf") return -Infinity;
	var number = parseFloat(textValue);
	return isFinite(number) && /^[-+]?\d/.test(textValue) ? number : null;
}

/** LiveAPI hands values back as arrays of atoms; a name with spaces may come split. */
function text(values) {
	if (values === undefined || values === null) return "";
	if (!isList(values)) return String(values);
	return values.join(" ").replace(/^"|"$/g, "");
}

function firstNumber(values) {
	return Number(isList(values) ? values[0] : values);
}

function isList(values) {
	return Object.prototype.toString.call(values) === "[object Array]";
}
