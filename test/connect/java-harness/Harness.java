// Runs Kafka Connect's own converters, transforms and predicates on test cases, one JSON object
// per line on stdin, and prints one JSON result per line: what Kafka outputs, or the exception.
// Records go in and come out as JsonConverter envelopes ({"schema":...,"payload":...}) rendered by
// Kafka's JsonConverter, so schemas and values are compared exactly as Kafka writes them.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;
import org.apache.kafka.common.record.TimestampType;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

public class Harness {
    static final ObjectMapper MAPPER = new ObjectMapper();

    static JsonConverter envelopeConverter(String decimalFormat) {
        JsonConverter c = new JsonConverter();
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("schemas.enable", "true");
        cfg.put("decimal.format", decimalFormat);
        c.configure(cfg, false);
        return c;
    }

    static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> out = new HashMap<>();
        if (node == null || node.isNull()) return out;
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    static SchemaAndValue read(JsonConverter conv, JsonNode envelope) throws Exception {
        if (envelope == null || envelope.isNull()) return SchemaAndValue.NULL;
        // an envelope given as text is read as those exact bytes (numbers keep their spelling)
        byte[] bytes = envelope.isTextual() ? envelope.asText().getBytes(StandardCharsets.UTF_8) : MAPPER.writeValueAsBytes(envelope);
        return conv.toConnectData("t", bytes);
    }

    static String render(JsonConverter conv, org.apache.kafka.connect.data.Schema schema, Object value) {
        byte[] bytes = conv.fromConnectData("t", schema, value);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static ObjectNode runCase(JsonNode c) throws Exception {
        ObjectNode result = MAPPER.createObjectNode();
        String kind = c.get("kind").asText();
        String decimalFormat = c.has("decimalFormat") ? c.get("decimalFormat").asText() : "BASE64";
        JsonConverter conv = envelopeConverter(decimalFormat);
        if (kind.equals("headerConverter")) {
            org.apache.kafka.connect.storage.HeaderConverter hc = (org.apache.kafka.connect.storage.HeaderConverter) Class.forName(c.get("class").asText()).getDeclaredConstructor().newInstance();
            // the worker (Plugins.newHeaderConverter) adds converter.type=header
            Map<String, String> hcConfig = stringMap(c.get("config"));
            hcConfig.put("converter.type", "header");
            hc.configure(hcConfig);
            if (c.get("op").asText().equals("fromConnect")) {
                SchemaAndValue data = read(conv, c.get("data"));
                byte[] bytes = hc.fromConnectHeader("t", "h", data.schema(), data.value());
                result.put("bytes", bytes == null ? null : Base64.getEncoder().encodeToString(bytes));
            } else {
                JsonNode b = c.get("bytes");
                byte[] bytes = b == null || b.isNull() ? null : Base64.getDecoder().decode(b.asText());
                SchemaAndValue data = hc.toConnectHeader("t", "h", bytes);
                // SimpleHeaderConverter answers null (not SchemaAndValue.NULL) for the text "null"
                result.put("data", data == null ? null : render(conv, data.schema(), data.value()));
            }
            return result;
        }
        if (kind.equals("converter")) {
            Converter converter = (Converter) Class.forName(c.get("class").asText()).getDeclaredConstructor().newInstance();
            converter.configure(stringMap(c.get("config")), c.path("isKey").asBoolean(false));
            if (c.get("op").asText().equals("fromConnect")) {
                SchemaAndValue data = read(conv, c.get("data"));
                byte[] bytes = converter.fromConnectData("t", data.schema(), data.value());
                result.put("bytes", bytes == null ? null : Base64.getEncoder().encodeToString(bytes));
            } else {
                JsonNode b = c.get("bytes");
                byte[] bytes = b == null || b.isNull() ? null : Base64.getDecoder().decode(b.asText());
                SchemaAndValue data = converter.toConnectData("t", bytes);
                result.put("data", render(conv, data.schema(), data.value()));
            }
            return result;
        }
        JsonNode r = c.get("record");
        SchemaAndValue key = read(conv, r.get("key"));
        SchemaAndValue value = read(conv, r.get("value"));
        ConnectHeaders headers = new ConnectHeaders();
        if (r.has("headers")) {
            for (JsonNode h : r.get("headers")) {
                SchemaAndValue hv = read(conv, h.get("value"));
                headers.add(h.get("key").asText(), hv);
            }
        }
        Long timestamp = r.has("timestamp") && !r.get("timestamp").isNull() ? r.get("timestamp").asLong() : null;
        Integer partition = r.has("partition") && !r.get("partition").isNull() ? r.get("partition").asInt() : null;
        String topic = r.get("topic").asText();
        ConnectRecord record;
        if (r.has("offset")) {
            record = new SinkRecord(topic, partition == null ? 0 : partition, key.schema(), key.value(), value.schema(), value.value(),
                    r.get("offset").asLong(), timestamp, TimestampType.CREATE_TIME, headers);
        } else {
            record = new SourceRecord(new HashMap<>(), new HashMap<>(), topic, partition, key.schema(), key.value(), value.schema(), value.value(), timestamp, headers);
        }
        if (kind.equals("predicate")) {
            Predicate p = (Predicate) Class.forName(c.get("class").asText()).getDeclaredConstructor().newInstance();
            p.configure(stringMap(c.get("config")));
            result.put("test", p.test(record));
            return result;
        }
        Transformation t = (Transformation) Class.forName(c.get("class").asText()).getDeclaredConstructor().newInstance();
        t.configure(stringMap(c.get("config")));
        Predicate predicate = null;
        boolean negate = false;
        if (c.has("predicate")) {
            JsonNode pc = c.get("predicate");
            predicate = (Predicate) Class.forName(pc.get("class").asText()).getDeclaredConstructor().newInstance();
            predicate.configure(stringMap(pc.get("config")));
            negate = pc.path("negate").asBoolean(false);
        }
        ConnectRecord out = predicate == null || (negate ^ predicate.test(record)) ? t.apply(record) : record;
        if (out == null) {
            result.put("dropped", true);
            return result;
        }
        result.put("topic", out.topic());
        if (out.kafkaPartition() == null) result.putNull("partition"); else result.put("partition", out.kafkaPartition());
        if (out.timestamp() == null) result.putNull("timestamp"); else result.put("timestamp", out.timestamp());
        result.put("key", render(conv, out.keySchema(), out.key()));
        result.put("value", render(conv, out.valueSchema(), out.value()));
        ArrayNode hs = result.putArray("headers");
        for (Object o : out.headers()) {
            Header h = (Header) o;
            ObjectNode hn = hs.addObject();
            hn.put("key", h.key());
            hn.put("value", render(conv, h.schema(), h.value()));
        }
        return result;
    }

    static ObjectNode error(Throwable e) {
        ObjectNode err = MAPPER.createObjectNode();
        err.put("kind", e instanceof DataException ? "data" : e instanceof ConfigException ? "config" : "other");
        err.put("class", e.getClass().getName());
        err.put("message", e.getMessage());
        return err;
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            ObjectNode res = MAPPER.createObjectNode();
            JsonNode c;
            try {
                c = MAPPER.readTree(line);
            } catch (Exception e) {
                res.put("id", "?");
                res.set("error", error(e));
                out.println(MAPPER.writeValueAsString(res));
                continue;
            }
            res.put("id", c.get("id").asText());
            try {
                res.set("result", runCase(c));
            } catch (Throwable e) {
                res.set("error", error(e));
            }
            out.println(MAPPER.writeValueAsString(res));
        }
    }
}
