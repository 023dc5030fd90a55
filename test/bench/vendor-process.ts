/** The vendor stand-in as its own process, so its work is not billed to the gateway or the load generator. */
import { BENCH_TWILIO } from "./bench-app";
import { serveParent } from "./ipc";
import { VendorStandIn } from "./vendor-stand-in";

VendorStandIn.start({ accountSid: BENCH_TWILIO.accountSid, authToken: BENCH_TWILIO.authToken }).then((v) => {
  serveParent({ url: v.url }, {
    stats: () => ({ accepted: v.accepted, refused: v.refused, firstAt: v.firstAt, lastAt: v.lastAt }),
    reset: () => v.resetCounters(),
  }, () => v.stop());
});
