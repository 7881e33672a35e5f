#!/usr/bin/env python3
"""A WHIP publisher we did not write the WebRTC stack of: GStreamer's webrtcbin (libnice) sends videotestsrc as
H.264 (x264enc) and audiotestsrc as Opus to a WHIP URL. Debian bookworm has no whipsink, so the HTTP half (POST
the offer once ICE gathering is complete, apply the answer) is done here with urllib.

usage: gst-whip-publish.py <whip-url> <bearer-token> <seconds>
Prints "status <http status>" after the POST (and "connected" if webrtcbin reports ICE connected); exits 0 after <seconds> of
sending (DELETEing the resource first), 1 on an error."""
import sys
import urllib.request
from urllib.parse import urljoin

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

url, token, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
Gst.init(None)
pipe = Gst.parse_launch(
    "webrtcbin name=w bundle-policy=max-bundle "
    "videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=360,framerate=30/1 ! videoconvert "
    "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 bitrate=800 "
    "! video/x-h264,profile=constrained-baseline ! rtph264pay config-interval=-1 pt=102 aggregate-mode=zero-latency "
    "! application/x-rtp,media=video,encoding-name=H264,payload=102 ! w. "
    "audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! opusenc ! rtpopuspay pt=111 "
    "! application/x-rtp,media=audio,encoding-name=OPUS,payload=111 ! w."
)
webrtc = pipe.get_by_name("w")
loop = GLib.MainLoop()
state = {"resource": None, "code": 0}


def fail(why):
    print(f"error {why}", flush=True)
    state["code"] = 1
    loop.quit()


def post_offer():
    offer = webrtc.get_property("local-description").sdp.as_text()
    req = urllib.request.Request(
        url, data=offer.encode(), method="POST",
        headers={"Content-Type": "application/sdp", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            print(f"status {res.status}", flush=True)
            state["resource"] = urljoin(url, res.headers["Location"])
            answer = res.read().decode()
    except urllib.error.HTTPError as err:
        print(f"status {err.code}", flush=True)
        fail(err.read().decode())
        return False
    ok, sdp = GstSdp.SDPMessage.new_from_text(answer)
    desc = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, sdp)
    webrtc.emit("set-remote-description", desc, Gst.Promise.new())
    return False


def on_gathering(element, _pspec):
    if element.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
        GLib.idle_add(post_offer)


def on_ice(element, _pspec):
    s = element.get_property("ice-connection-state")
    if s == GstWebRTC.WebRTCICEConnectionState.CONNECTED:
        print("connected", flush=True)
    elif s == GstWebRTC.WebRTCICEConnectionState.FAILED:
        fail("ICE failed")


def on_offer(promise, _):
    reply = promise.get_reply()
    offer = reply.get_value("offer") if reply is not None and reply.has_field("offer") else None
    if offer is None:
        fail(f"create-offer: {reply.to_string() if reply is not None else 'no reply'}")
        return
    webrtc.emit("set-local-description", offer, Gst.Promise.new())


def on_negotiation(element):
    if state.get("offered"):
        return
    state["offered"] = True
    element.emit("create-offer", None, Gst.Promise.new_with_change_func(on_offer, None))


def stop():
    if state["resource"]:
        req = urllib.request.Request(state["resource"], method="DELETE", headers={"Authorization": f"Bearer {token}"})
        try:
            urllib.request.urlopen(req, timeout=5).close()
        except Exception as err:  # the relay may have ended the push already
            print(f"delete {err}", flush=True)
    loop.quit()
    return False


def on_message(_bus, msg):
    if msg.type == Gst.MessageType.ERROR:
        fail(msg.parse_error()[0].message)


webrtc.connect("on-negotiation-needed", on_negotiation)
webrtc.connect("notify::ice-gathering-state", on_gathering)
webrtc.connect("notify::ice-connection-state", on_ice)
bus = pipe.get_bus()
bus.add_signal_watch()
bus.connect("message", on_message)
pipe.set_state(Gst.State.PLAYING)
# sendonly transceivers
for i in range(2):
    tr = webrtc.emit("get-transceiver", i)
    if tr is not None:
        tr.set_property("direction", GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY)
GLib.timeout_add(int(seconds * 1000), stop)
loop.run()
pipe.set_state(Gst.State.NULL)
sys.exit(state["code"])
