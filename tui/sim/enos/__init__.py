"""The EnOS simulator: an MQTT broker (amqtt) with EnOS's gateway login and a responder for
sub-device registration and topology, built from EnOS's device protocol pages.

- `signing.py`: the login signature and its check; `registry.py`: products, devices, topology;
  `responder.py`: the request/reply handlers; `broker.py`: the broker with its auth, ACL and
  responder plugins; `data.py`: the demo gateway and its 36 sub-devices; `ops.py`: `/_sim/enos`.

Where EnOS's pages are silent, the simulator does what EnOS most plausibly does:
- A request that cannot be used (malformed JSON, params not a list, over 1000 entries, a bad
  timezone, a deviceName with neither defaultValue nor en_US, an unknown productKey) is refused
  whole with EnOS's common code 1220 "Payload format error" and a message naming the field;
  an empty payload gets 1251 "Payload is empty", a `method` that is not the topic's 1260
  "Methods not consistent". Nothing of a refused request is registered.
- In a usable register request each sub-device is registered or refused on its own (702, 739,
  714): the vendor page says `data` lists the successfully registered sub-devices, so `data`
  holds those and the reply's code is the first refusal's, its message naming every refused
  deviceKey with its code; all registered → 200.
- topo/add and topo/delete are all-or-none (like EnOS's topology APIs): an unknown sub-device, a
  bad sign or a sub-device that is not attached refuses the request with 1220 and a message.
- topo/add's sign is the plain hash of the sorted params (clientId, deviceKey, productKey,
  timestamp) and the sub-device's secret, as for the login; sha256, sha1 and md5 (also named
  hmacsha256/hmacsha1/hmacmd5) are accepted, hex in either case.
- A login whose timestamp is more than a day from the clock is refused (a stale client id).
- A reply carries `id`, `code`, `message` and `data`; the `id` is the request's (null when the
  request had none or could not be read).
"""
