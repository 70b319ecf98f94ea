#!/usr/bin/env bash
# Measures, in one run on this machine:
#  1. QoS 1 publish rate of `edgewire-device simulate` (one device, unpaced) against `mosquitto_pub -l`:
#     same Mosquitto broker (TLS, client certificate required, receive maximum 20), MQTT 5 for both,
#     same messages count, readings of the same shape and size, ROUNDS rounds taking turns.
#     Two rates for simulate: "whole process" (JVM start, connect, every reading stored in the outbox,
#     sent and acknowledged, exit) like mosquitto_pub's; and "connect to last ack" (from the summary's
#     seconds: connect included, JVM start and class loading not). The medians and their ratios close
#     the section. Give enough messages (100000+) that JVM warm-up does not dominate.
#  2. HTTPS messages per second with one kept-alive connection against one connection per message,
#     same nginx endpoint (TLS, client certificate required).
# Needs: Debian packages mosquitto, mosquitto-clients, nginx-light (or nginx), openssl, bc;
# the jar (./mvnw -B -pl device-client -am package -DskipTests); Java 21+ in JAVA_HOME.
# Usage: device-client/bench/compare.sh [MQTT_MESSAGES] [HTTPS_MESSAGES] [ROUNDS]
# HTTPS_MESSAGES 0 skips the HTTPS part. Ports are picked free, so runs side by side do not collide.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cli="$here/../bin/edgewire-device"
mqtt_n=${1:-100000}
https_n=${2:-2000}
rounds=${3:-3}
work=$(mktemp -d /tmp/edgewire-bench.XXXXXX)
chmod 755 "$work"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mqtt_port=$(free_port)
https_port=$(free_port)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

# A throw-away CA, a server certificate for localhost and a client certificate for thing-1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 1 -subj "/CN=bench CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
printf "subjectAltName=DNS:localhost,IP:127.0.0.1\n" > san.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile san.ext 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout thing.key -out thing.csr -subj "/CN=thing-1" 2>/dev/null
openssl x509 -req -in thing.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out thing.pem -days 1 2>/dev/null
# Mosquitto drops to its own user when started as root and must read its key.
chmod 644 server.key server.pem ca.pem

cat > mosquitto.conf <<CONF
persistence false
log_type error
listener $mqtt_port 127.0.0.1
cafile $work/ca.pem
certfile $work/server.pem
keyfile $work/server.key
require_certificate true
allow_anonymous true
CONF
mosquitto -c mosquitto.conf > mosquitto.log 2>&1 &
pids+=($!)

mkdir -p nginx-body
cat > nginx.conf <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body;
  server {
    listen 127.0.0.1:$https_port ssl;
    ssl_certificate $work/server.pem;
    ssl_certificate_key $work/server.key;
    ssl_client_certificate $work/ca.pem;
    ssl_verify_client on;
    keepalive_requests 1000000;
    location /topics/ {
      default_type application/json;
      return 200 '{"message":"OK","traceId":"bench"}';
    }
  }
}
CONF
nginx -c "$work/nginx.conf" -e "$work/nginx-error.log"
sleep 1

cat > outputs.json <<CONF
{"Bench": {"IotEndpoint": "localhost", "MqttPort": "$mqtt_port", "HttpsPort": "$https_port", "ThingName": "thing-1",
  "CaCertificateFile": "ca.pem", "CertificateFile": "thing.pem", "PrivateKeyFile": "thing.key"}}
CONF

# mosquitto_pub reads the same kind of reading, one per line: a device id as long as simulate's
# (sim-N), the seq counting up, a millisecond timestamp and the values with one or two decimals.
python3 - "$mqtt_n" > readings.jsonl <<'PY'
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"deviceId": "mos-1", "seq": i, "ts": "2026-11-29T22:00:00.123Z", "temperature": 21.4,
                      "humidity": 45.2, "pressure": 1013.1, "battery": 0.93}, separators=(",", ":")))
PY

now() { date +%s.%N; }
rate() { echo "scale=0; $1 / $2" | bc; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "== MQTT QoS 1, $mqtt_n messages, $rounds rounds, mean payload $(( $(wc -c < readings.jsonl) / mqtt_n - 1 )) bytes (mosquitto_pub), load average $(cut -d' ' -f1-3 /proc/loadavg)"
mosq_rates=(); sim_rates=(); sim_run_rates=()
for round in $(seq 1 "$rounds"); do
  start=$(now)
  mosquitto_pub -h localhost -p $mqtt_port --cafile ca.pem --cert thing.pem --key thing.key -i mos-1 -V mqttv5 \
    -t devices/mos-1/telemetry -q 1 -l < readings.jsonl
  end=$(now)
  mosq=$(rate "$mqtt_n" "$(echo "$end - $start" | bc)")
  mosq_rates+=("$mosq")
  echo "round $round mosquitto_pub -q 1 -l: $mosq msg/s (whole process)"

  rm -f sim.db*
  start=$(now)
  summary=$("$cli" simulate --outputs outputs.json --thing sim-$round --count "$mqtt_n" --rate 1000000 \
    --outbox-capacity "$mqtt_n" --drain-timeout 600s --outbox sim.db --json)
  end=$(now)
  sim=$(rate "$mqtt_n" "$(echo "$end - $start" | bc)")
  run_seconds=$(printf '%s' "$summary" | python3 -c 'import json, sys; print(json.load(sys.stdin)["seconds"])')
  sim_run=$(rate "$mqtt_n" "$run_seconds")
  sim_rates+=("$sim"); sim_run_rates+=("$sim_run")
  echo "round $round simulate: $sim msg/s (whole process, JVM start included), $sim_run msg/s (connect to last ack); summary $summary"
done
mosq_median=$(median "${mosq_rates[@]}")
sim_median=$(median "${sim_rates[@]}")
sim_run_median=$(median "${sim_run_rates[@]}")
echo "median mosquitto_pub $mosq_median msg/s; simulate $sim_median msg/s whole process" \
  "(ratio $(echo "scale=2; $sim_median / $mosq_median" | bc)), $sim_run_median msg/s connect to last ack" \
  "(ratio $(echo "scale=2; $sim_run_median / $mosq_median" | bc))"

[ "$https_n" -gt 0 ] || exit 0
echo "== HTTPS, $https_n messages, one at a time, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  rm -f https*.db*
  echo "round $round kept-alive connection: $("$cli" simulate --outputs outputs.json --protocol https --thing reuse-$round \
    --count "$https_n" --rate 1000000 --drain-timeout 600s --outbox https-reuse.db --json)"
  echo "round $round connection per message: $("$cli" simulate --outputs outputs.json --protocol https --thing fresh-$round \
    --count "$https_n" --rate 1000000 --drain-timeout 600s --outbox https-fresh.db --new-connection-per-message --json)"
done
