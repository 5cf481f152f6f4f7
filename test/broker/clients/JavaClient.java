/** The Apache Kafka Java client (kafka-clients 4.x) against the Sluice listener; see test/broker/java-client.test.ts. */
import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.*;

public class JavaClient {
  public static void main(String[] args) throws Exception {
    String b = args[0], topic = args[1];
    Properties ap = new Properties(); ap.put("bootstrap.servers", b);
    try (Admin admin = Admin.create(ap)) {
      admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
      System.out.println("topics " + admin.listTopics().names().get().contains(topic));
    }
    int delivered = 0;
    for (String codec : List.of("none", "gzip", "snappy", "lz4", "zstd")) {
      Properties pp = new Properties(); pp.put("bootstrap.servers", b); pp.put("compression.type", codec); pp.put("enable.idempotence", "true");
      pp.put("key.serializer", StringSerializer.class.getName()); pp.put("value.serializer", StringSerializer.class.getName());
      try (KafkaProducer<String, String> p = new KafkaProducer<>(pp)) {
        for (int i = 0; i < 10; i++) { p.send(new ProducerRecord<>(topic, "k" + i, codec + "-" + i)).get(); delivered++; }
      }
    }
    System.out.println("delivered " + delivered);
    Properties tp = new Properties(); tp.put("bootstrap.servers", b); tp.put("transactional.id", topic + "-tx");
    tp.put("key.serializer", StringSerializer.class.getName()); tp.put("value.serializer", StringSerializer.class.getName());
    try (KafkaProducer<String, String> p = new KafkaProducer<>(tp)) {
      p.initTransactions();
      p.beginTransaction(); p.send(new ProducerRecord<>(topic, 0, "t", "txn-committed")); p.commitTransaction();
      p.beginTransaction(); p.send(new ProducerRecord<>(topic, 0, "t", "txn-aborted")); p.abortTransaction();
    }
    Properties cp = new Properties(); cp.put("bootstrap.servers", b); cp.put("group.id", topic + "-g"); cp.put("auto.offset.reset", "earliest");
    cp.put("isolation.level", "read_committed"); cp.put("enable.auto.commit", "false");
    cp.put("key.deserializer", StringDeserializer.class.getName()); cp.put("value.deserializer", StringDeserializer.class.getName());
    List<String> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cp)) {
      c.subscribe(List.of(topic));
      long end = System.currentTimeMillis() + 30000;
      while (seen.size() < 51 && System.currentTimeMillis() < end) for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) seen.add(r.value());
      c.commitSync();
      System.out.println("committed " + c.committed(Set.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1))).values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum());
    }
    System.out.println("consumed " + seen.size() + " txn " + seen.stream().filter(s -> s.startsWith("txn")).toList());
  }
}
