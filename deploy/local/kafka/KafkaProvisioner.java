import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Brings the local broker in line with deploy/kafka/access.conf (and the local test identity's
 * file): a SCRAM-SHA-512 credential for every identity named there, the declared topics, and
 * exactly the declared ACLs for those identities (grants nobody declared any more are removed, so
 * taking a line out of the file takes the right away). It runs as bvs-admin, the super user made at
 * storage format, on every infra.sh start: each step is idempotent, and a broker that cannot finish
 * them is not ready.
 *
 * usage: java KafkaProvisioner <bootstrap> <credentials-dir> <access-file>...
 */
public final class KafkaProvisioner {
  private static final String ADMIN = "bvs-admin";
  /** Kafka's own default and minimum for SCRAM-SHA-512. */
  private static final int SCRAM_ITERATIONS = 4096;
  private static final long STEP_TIMEOUT_SECONDS = 60;

  private record Topic(String name, int partitions, Map<String, String> configs) {}

  private record Grant(String identity, AclOperation operation, ResourceType resourceType, PatternType patternType, String name) {
    AclBinding binding() {
      return new AclBinding(new ResourcePattern(resourceType, name, patternType), new AccessControlEntry("User:" + identity, "*", operation, AclPermissionType.ALLOW));
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: java KafkaProvisioner <bootstrap> <credentials-dir> <access-file>...");
      System.exit(2);
    }
    Path credentials = Path.of(args[1]);
    Map<String, Topic> topics = new LinkedHashMap<>();
    List<Grant> grants = new ArrayList<>();
    for (int i = 2; i < args.length; i++) parse(Path.of(args[i]), topics, grants);
    Set<String> identities = grants.stream().map(Grant::identity).collect(Collectors.toCollection(LinkedHashSet::new));

    try (Admin admin = Admin.create(adminProperties(args[0], password(credentials, ADMIN)))) {
      admin.describeCluster().nodes().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      upsertCredentials(admin, credentials, identities);
      int created = ensureTopics(admin, topics.values());
      int[] changed = reconcileAcls(admin, identities, grants);
      System.out.printf("kafka: %d identities, %d topics (%d created), ACLs +%d -%d%n", identities.size(), topics.size(), created, changed[0], changed[1]);
    }
  }

  private static Properties adminProperties(String bootstrap, String adminPassword) {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    properties.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
    properties.put("sasl.mechanism", "SCRAM-SHA-512");
    properties.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + ADMIN + "\" password=\"" + adminPassword + "\";");
    properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(STEP_TIMEOUT_SECONDS));
    properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
    return properties;
  }

  private static void parse(Path file, Map<String, Topic> topics, List<Grant> grants) throws IOException {
    int lineNumber = 0;
    for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      lineNumber++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      String[] words = line.split("\\s+");
      String where = file + ":" + lineNumber;
      switch (words[0]) {
        case "topic" -> {
          if (words.length < 3) throw new IllegalArgumentException(where + ": expected 'topic <name> <partitions> [<config>=<value>...]'");
          Map<String, String> configs = new HashMap<>();
          for (int i = 3; i < words.length; i++) {
            String[] pair = words[i].split("=", 2);
            if (pair.length != 2) throw new IllegalArgumentException(where + ": expected <config>=<value>, got " + words[i]);
            configs.put(pair[0], pair[1]);
          }
          topics.put(words[1], new Topic(words[1], Integer.parseInt(words[2]), configs));
        }
        case "allow" -> {
          if (words.length < 6) throw new IllegalArgumentException(where + ": expected 'allow <identity> <operations> topic|group literal|prefixed <name>...'");
          ResourceType resourceType = ResourceType.fromString(words[3].toUpperCase(java.util.Locale.ROOT));
          PatternType patternType = PatternType.fromString(words[4].toUpperCase(java.util.Locale.ROOT));
          if ((resourceType != ResourceType.TOPIC && resourceType != ResourceType.GROUP) || (patternType != PatternType.LITERAL && patternType != PatternType.PREFIXED)) {
            throw new IllegalArgumentException(where + ": resource must be topic or group, pattern literal or prefixed");
          }
          for (String operationName : words[2].split(",")) {
            AclOperation operation = AclOperation.fromString(operationName);
            if (operation == AclOperation.UNKNOWN || operation == AclOperation.ANY || operation == AclOperation.ALL) {
              throw new IllegalArgumentException(where + ": operation " + operationName + " is not a single known operation");
            }
            for (int i = 5; i < words.length; i++) grants.add(new Grant(words[1], operation, resourceType, patternType, words[i]));
          }
        }
        default -> throw new IllegalArgumentException(where + ": unknown directive " + words[0]);
      }
    }
  }

  private static String password(Path credentials, String identity) throws IOException {
    String password = Files.readString(credentials.resolve(identity), StandardCharsets.UTF_8).strip();
    if (password.isEmpty()) throw new IllegalStateException("empty password file for " + identity);
    return password;
  }

  private static void upsertCredentials(Admin admin, Path credentials, Set<String> identities) throws Exception {
    List<UserScramCredentialAlteration> upserts = new ArrayList<>();
    for (String identity : identities) {
      upserts.add(new UserScramCredentialUpsertion(identity, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password(credentials, identity)));
    }
    if (!upserts.isEmpty()) admin.alterUserScramCredentials(upserts).all().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /** Creates missing topics (with their configs) and adds partitions where a topic has fewer than declared (never fewer). */
  private static int ensureTopics(Admin admin, java.util.Collection<Topic> topics) throws Exception {
    Set<String> existing = admin.listTopics().names().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    List<NewTopic> missing = topics.stream().filter((topic) -> !existing.contains(topic.name())).map((topic) -> new NewTopic(topic.name(), java.util.Optional.of(topic.partitions()), java.util.Optional.empty()).configs(topic.configs())).toList();
    int created = 0;
    for (var entry : admin.createTopics(missing).values().entrySet()) {
      try {
        entry.getValue().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        created++;
      } catch (ExecutionException error) {
        if (!(error.getCause() instanceof TopicExistsException)) throw error;
      }
    }
    List<String> present = topics.stream().map(Topic::name).filter(existing::contains).toList();
    if (!present.isEmpty()) {
      Map<String, TopicDescription> described = admin.describeTopics(present).allTopicNames().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      Map<String, NewPartitions> grow = new HashMap<>();
      for (Topic topic : topics) {
        TopicDescription description = described.get(topic.name());
        if (description != null && description.partitions().size() < topic.partitions()) grow.put(topic.name(), NewPartitions.increaseTo(topic.partitions()));
      }
      if (!grow.isEmpty()) admin.createPartitions(grow).all().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
    return created;
  }

  private static int[] reconcileAcls(Admin admin, Set<String> identities, List<Grant> grants) throws Exception {
    Set<AclBinding> wanted = grants.stream().map(Grant::binding).collect(Collectors.toSet());
    Set<String> principals = identities.stream().map((identity) -> "User:" + identity).collect(Collectors.toSet());
    Set<AclBinding> current = new HashSet<>();
    for (AclBinding binding : admin.describeAcls(AclBindingFilter.ANY).values().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      if (principals.contains(binding.entry().principal())) current.add(binding);
    }
    List<AclBinding> toAdd = wanted.stream().filter((binding) -> !current.contains(binding)).toList();
    List<AclBindingFilter> toRemove = current.stream().filter((binding) -> !wanted.contains(binding)).map(AclBinding::toFilter).toList();
    if (!toAdd.isEmpty()) admin.createAcls(toAdd).all().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!toRemove.isEmpty()) admin.deleteAcls(toRemove).all().get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return new int[] {toAdd.size(), toRemove.size()};
  }
}
