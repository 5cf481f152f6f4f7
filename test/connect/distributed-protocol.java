// Kafka Connect's own ConnectProtocol (eager, v0) against Sluice's encoding (test/connect/distributed-protocol.test.ts):
// decodes the metadata and assignment Sluice encoded (hex args) and encodes the same values itself.
// Run in single-file source mode: java -cp "<connect jars>/*" distributed-protocol.java META_HEX ASSIGNMENT_HEX
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.connect.runtime.distributed.ConnectProtocol;
import org.apache.kafka.connect.util.ConnectorTaskId;

public class DistributedProtocolCheck {
  static String hex(ByteBuffer b) {
    byte[] bytes = new byte[b.remaining()];
    b.duplicate().get(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  static String describe(ConnectProtocol.Assignment a) {
    List<String> connectors = new ArrayList<>(a.connectors());
    connectors.sort(null);
    List<String> tasks = new ArrayList<>();
    for (ConnectorTaskId t : a.tasks()) tasks.add(t.connector() + "-" + t.task());
    tasks.sort(null);
    return a.error() + "|" + a.leader() + "|" + a.leaderUrl() + "|" + a.offset() + "|" + String.join(",", connectors) + "|" + String.join(",", tasks);
  }

  public static void main(String[] args) {
    ConnectProtocol.WorkerState state = ConnectProtocol.deserializeMetadata(ByteBuffer.wrap(HexFormat.of().parseHex(args[0])));
    System.out.println(state.url() + "|" + state.offset());
    ConnectProtocol.Assignment assignment = ConnectProtocol.deserializeAssignment(ByteBuffer.wrap(HexFormat.of().parseHex(args[1])));
    System.out.println(describe(assignment));
    System.out.println(hex(ConnectProtocol.serializeMetadata(new ConnectProtocol.WorkerState(state.url(), state.offset()))));
    System.out.println(hex(ConnectProtocol.serializeAssignment(new ConnectProtocol.Assignment(assignment.error(), assignment.leader(), assignment.leaderUrl(), assignment.offset(), assignment.connectors(), assignment.tasks()))));
  }
}
