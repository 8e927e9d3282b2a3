package io.switchyard.agent.fault;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A seeded cluster of Services (one TCP port each) and their EndpointSlices as the API server
 * would send them (JSON), a share of which is corrupted: a random field anywhere replaced by a
 * value of the wrong type, out of range, or a string built to break an iptables-restore document;
 * a field removed; a known field (cluster IP, port, protocol, address, address type, condition)
 * given a hostile value; the name, namespace or service-name label made hostile. The objects
 * stay storable (kind and metadata an object; name, namespace and label values strings) so the
 * simulated API server can list and watch them; everything else is fair game.
 */
final class CorruptedCluster {

    /** One Service and its slice, as JSON; whether each was corrupted, and how. */
    record Pair(int index, JsonObject service, JsonObject slice, List<String> serviceDamage, List<String> sliceDamage) {

        boolean intact() {
            return serviceDamage.isEmpty() && sliceDamage.isEmpty();
        }

        String namespace() {
            return CorruptedCluster.namespace(index);
        }

        String name() {
            return CorruptedCluster.name(index);
        }

        String clusterIp() {
            return CorruptedCluster.clusterIp(index);
        }

        List<String> endpoints() {
            return List.of(podIp(index, 0) + ":8080", podIp(index, 1) + ":8080");
        }
    }

    /** Not to be touched: what the server needs to store and select an object. */
    private static final Set<String> PROTECTED = Set.of("kind", "apiVersion", "metadata");

    private static final String[] HOSTILE = {
            "", " ", "\"", "\n", "\r\n-A INPUT -j DROP\n", "\nCOMMIT\n*filter\n-A INPUT -j DROP\n", "\0", "\t", "\\",
            "' -j ACCEPT '", "$(reboot)", "`id`", "; rm -rf /", "--comment", "-j DROP", "*nat", ":KUBE-SERVICES - [0:0]",
            "\u00e9\u2028\uFFFD", "\uD800", "\u0007\u007f", "%s%n", "${jndi:ldap://x}", "10.96.0.1 -j DROP",
            "10.96.0.256", "10.96.0.1/8", "1.2.3", "::ffff:10.96.0.1", "fd00::zz", "010.096.000.001", " 10.96.0.1",
            "10.96.0.1\n", "0.0.0.0", "255.255.255.255", "127.0.0.1", "IPv5", "ipv4", "TCP ", "tcp", "ICMP", "SCTP\n",
            "ClusterIP\"", "NodePort-j", "80", "-1", "65536", "http\n", "a".repeat(300), "x-".repeat(40),
    };

    private final Random random;

    CorruptedCluster(long seed) {
        this.random = new Random(seed);
    }

    /** {@code count} Services with their slices; each object corrupted with probability {@code share}. */
    List<Pair> generate(int count, double share) {
        List<Pair> pairs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            JsonObject service = service(i);
            JsonObject slice = slice(i);
            List<String> serviceDamage = random.nextDouble() < share ? corrupt(service) : List.of();
            List<String> sliceDamage = random.nextDouble() < share ? corrupt(slice) : List.of();
            pairs.add(new Pair(i, service, slice, serviceDamage, sliceDamage));
        }
        return pairs;
    }

    /** Pair {@code i}, untouched. */
    static Pair intact(int i) {
        return new Pair(i, service(i), slice(i), List.of(), List.of());
    }

    static String namespace(int i) {
        return "fz-" + (i % 50);
    }

    static String name(int i) {
        return "svc-" + i;
    }

    static String clusterIp(int i) {
        int n = i + 16;
        return "10." + (96 + (n >> 16)) + "." + ((n >> 8) & 255) + "." + (n & 255);
    }

    private static String podIp(int i, int e) {
        int n = i * 2 + e + 256;
        return "10." + (128 + (n >> 16)) + "." + ((n >> 8) & 255) + "." + (n & 255);
    }

    private static JsonObject service(int i) {
        String type = i % 7 == 0 && i < 2700 * 7 ? "NodePort" : "ClusterIP";
        String nodePort = type.equals("NodePort") ? ", \"nodePort\": " + (30000 + i / 7) : "";
        return JsonParser.parseString("""
                {"kind": "Service", "apiVersion": "v1",
                 "metadata": {"namespace": "%s", "name": "%s", "labels": {"app": "%s"}},
                 "spec": {"type": "%s", "clusterIP": "%s", "clusterIPs": ["%s"], "ipFamilies": ["IPv4"],
                          "ipFamilyPolicy": "SingleStack", "sessionAffinity": "None",
                          "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080%s}]}}
                """.formatted(namespace(i), name(i), name(i), type, clusterIp(i), clusterIp(i), nodePort))
                .getAsJsonObject();
    }

    private static JsonObject slice(int i) {
        return JsonParser.parseString("""
                {"kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
                 "metadata": {"namespace": "%s", "name": "%s-x7k2p",
                              "labels": {"kubernetes.io/service-name": "%s"}},
                 "addressType": "IPv4",
                 "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
                 "endpoints": [{"addresses": ["%s"], "conditions": {"ready": true, "serving": true, "terminating": false},
                                "nodeName": "node-b"},
                               {"addresses": ["%s"], "conditions": {"ready": true, "serving": true, "terminating": false},
                                "nodeName": "node-c"}]}
                """.formatted(namespace(i), name(i), name(i), podIp(i, 0), podIp(i, 1))).getAsJsonObject();
    }

    /** One to three corruptions of an object, described. */
    private List<String> corrupt(JsonObject object) {
        List<String> done = new ArrayList<>();
        int times = 1 + random.nextInt(3);
        for (int t = 0; t < times; t++) {
            done.add(switch (random.nextInt(10)) {
                case 0, 1, 2 -> replaceAnywhere(object);
                case 3 -> removeAnywhere(object);
                case 4, 5, 6, 7 -> replaceKnown(object);
                default -> hostileIdentity(object);
            });
        }
        return done;
    }

    /** A random field or element anywhere (but the protected ones) replaced by a junk value. */
    private String replaceAnywhere(JsonObject object) {
        List<Slot> slots = new ArrayList<>();
        collect(object, "", slots, true);
        if (slots.isEmpty()) {
            JsonElement junk = junk();
            object.add("spec", junk);
            return "spec = " + abbreviate(junk);
        }
        Slot slot = slots.get(random.nextInt(slots.size()));
        JsonElement junk = junk();
        slot.set(junk);
        return slot.path() + " = " + abbreviate(junk);
    }

    private String removeAnywhere(JsonObject object) {
        List<Slot> slots = new ArrayList<>();
        collect(object, "", slots, true);
        if (slots.isEmpty()) {
            return replaceAnywhere(object);
        }
        Slot slot = slots.get(random.nextInt(slots.size()));
        slot.remove();
        return "removed " + slot.path();
    }

    /** A field the proxy reads, given a hostile value. */
    private String replaceKnown(JsonObject object) {
        List<String> paths = object.get("kind").getAsString().equals("Service")
                ? List.of("spec.type", "spec.clusterIP", "spec.clusterIPs.0", "spec.ipFamilies.0", "spec.ipFamilyPolicy",
                "spec.ports.0.port", "spec.ports.0.protocol", "spec.ports.0.name", "spec.ports.0.nodePort",
                "spec.sessionAffinity", "spec.externalIPs", "spec.externalTrafficPolicy", "spec.internalTrafficPolicy",
                "spec.ports", "spec", "status")
                : List.of("addressType", "ports.0.port", "ports.0.protocol", "ports.0.name", "endpoints.0.addresses.0",
                "endpoints.1.addresses", "endpoints.0.conditions.ready", "endpoints.1.conditions", "endpoints.0.nodeName",
                "endpoints.0.zone", "endpoints", "ports", "endpoints.0.hints");
        String path = paths.get(random.nextInt(paths.size()));
        JsonElement value = random.nextBoolean() ? new JsonPrimitive(hostileString()) : junk();
        if (!set(object, path.split("\\."), value)) {
            return replaceAnywhere(object);
        }
        return path + " = " + abbreviate(value);
    }

    /** The name, namespace or service-name label: hostile strings only (the server keys and selects by them). */
    private String hostileIdentity(JsonObject object) {
        JsonObject metadata = object.getAsJsonObject("metadata");
        String value = hostileString() + "\""; // a quote: never a valid name, namespace or label value
        switch (random.nextInt(3)) {
            case 0 -> metadata.addProperty("name", metadata.get("name").getAsString() + value);
            case 1 -> metadata.addProperty("namespace", value);
            default -> {
                JsonObject labels = metadata.getAsJsonObject("labels");
                String key = labels.has("kubernetes.io/service-name") ? "kubernetes.io/service-name" : "app";
                labels.addProperty(key, value);
                return "metadata.labels." + key + " = " + abbreviate(new JsonPrimitive(value));
            }
        }
        return "metadata identity = " + abbreviate(new JsonPrimitive(value));
    }

    private String hostileString() {
        return switch (random.nextInt(4)) {
            case 0 -> HOSTILE[random.nextInt(HOSTILE.length)];
            case 1 -> HOSTILE[random.nextInt(HOSTILE.length)] + HOSTILE[random.nextInt(HOSTILE.length)];
            case 2 -> {
                byte[] bytes = new byte[1 + random.nextInt(24)];
                random.nextBytes(bytes);
                yield new String(bytes, StandardCharsets.UTF_8);
            }
            default -> "x".repeat(random.nextInt(2) == 0 ? 64 : 5000);
        };
    }

    private JsonElement junk() {
        return switch (random.nextInt(12)) {
            case 0 -> JsonNull.INSTANCE;
            case 1 -> new JsonPrimitive(random.nextBoolean());
            case 2 -> new JsonPrimitive(List.of(-1, 0, 65535, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE)
                    .get(random.nextInt(6)));
            case 3 -> new JsonPrimitive(List.of(1e300, -0.0, 80.5, 1e-9).get(random.nextInt(4)));
            case 4 -> JsonParser.parseString("99999999999999999999999999999");
            case 5 -> new JsonObject();
            case 6 -> new JsonArray();
            case 7 -> JsonParser.parseString("[null, 1, \"a\", {\"b\": [[]]}, true]");
            case 8 -> JsonParser.parseString("{\"a\": {\"b\": {\"c\": [1, {\"d\": null}]}}}");
            default -> new JsonPrimitive(hostileString());
        };
    }

    private static String abbreviate(JsonElement value) {
        String text = value.toString();
        return text.length() > 40 ? text.substring(0, 40) + "…(" + text.length() + ")" : text;
    }

    // ---- walking the JSON tree --------------------------------------------------------------------

    /** A place in the tree that can be overwritten or removed. */
    private record Slot(String path, JsonElement parent, String key, int index) {
        void set(JsonElement value) {
            if (parent instanceof JsonObject o) {
                o.add(key, value);
            } else {
                ((JsonArray) parent).set(index, value);
            }
        }

        void remove() {
            if (parent instanceof JsonObject o) {
                o.remove(key);
            } else {
                ((JsonArray) parent).remove(index);
            }
        }
    }

    private static void collect(JsonElement element, String path, List<Slot> slots, boolean top) {
        if (element instanceof JsonObject object) {
            for (Map.Entry<String, JsonElement> e : object.entrySet()) {
                if (top && PROTECTED.contains(e.getKey())) {
                    continue;
                }
                String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                slots.add(new Slot(child, object, e.getKey(), -1));
                collect(e.getValue(), child, slots, false);
            }
        } else if (element instanceof JsonArray array) {
            for (int i = 0; i < array.size(); i++) {
                String child = path + "." + i;
                slots.add(new Slot(child, array, null, i));
                collect(array.get(i), child, slots, false);
            }
        }
    }

    /** Sets the value at a dotted path (numbers index arrays); false when the path does not exist. */
    private static boolean set(JsonObject object, String[] path, JsonElement value) {
        JsonElement at = object;
        for (int i = 0; i < path.length - 1; i++) {
            at = child(at, path[i]);
            if (at == null) {
                return false;
            }
        }
        String last = path[path.length - 1];
        if (at instanceof JsonObject o) {
            o.add(last, value);
            return true;
        }
        if (at instanceof JsonArray a && last.matches("\\d+") && Integer.parseInt(last) < a.size()) {
            a.set(Integer.parseInt(last), value);
            return true;
        }
        return false;
    }

    private static JsonElement child(JsonElement at, String key) {
        if (at instanceof JsonObject o) {
            return o.get(key);
        }
        if (at instanceof JsonArray a && key.matches("\\d+") && Integer.parseInt(key) < a.size()) {
            return a.get(Integer.parseInt(key));
        }
        return null;
    }
}
