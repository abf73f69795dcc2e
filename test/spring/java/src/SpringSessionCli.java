import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.postgresql.ds.PGSimpleDataSource;

import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.support.GenericConversionService;
import org.springframework.core.serializer.support.DeserializingConverter;
import org.springframework.core.serializer.support.SerializingConverter;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.PatternTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.data.redis.serializer.GenericJackson2JsonRedisSerializer;
import org.springframework.data.redis.serializer.JdkSerializationRedisSerializer;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.session.data.redis.RedisIndexedSessionRepository;
import org.springframework.session.data.redis.RedisSessionRepository;
import org.springframework.session.data.redis.SortedSetRedisSessionExpirationStore;
import org.springframework.session.data.redis.config.ConfigureNotifyKeyspaceEventsAction;
import org.springframework.session.events.AbstractSessionEvent;
import org.springframework.session.events.SessionCreatedEvent;
import org.springframework.session.events.SessionDeletedEvent;
import org.springframework.session.events.SessionExpiredEvent;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * sessiongen's Spring Session test program: real Spring Session repositories (Redis indexed and
 * plain, JDBC), configured with the value format generated/spring/LAYOUT.md tells Java apps to use
 * (SessionValueCodec and the two configurations, compiled from templates/spring/java/), or with
 * Spring's defaults and Jackson's typed serializer for the refusal tests. It reads one JSON command
 * per line on stdin and answers one JSON line on stdout (test/spring/java-program.ts drives it).
 */
public final class SpringSessionCli {

	private static final ObjectMapper JSON = new ObjectMapper();

	private final Map<String, Repo> repos = new LinkedHashMap<>();

	private final List<Map<String, Object>> events = Collections.synchronizedList(new ArrayList<>());

	/** One opened Spring repository and what closes it. */
	private record Repo(SessionRepository<Session> sessions, FindByIndexNameSessionRepository<Session> indexed,
			Runnable cleanup, List<AutoCloseable> closers) {
	}

	public static void main(String[] args) throws Exception {
		PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
		System.setOut(System.err);
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		SpringSessionCli cli = new SpringSessionCli();
		out.println("{\"ready\":true}");
		String line;
		while ((line = in.readLine()) != null) {
			if (line.isBlank()) {
				continue;
			}
			JsonNode command = JSON.readTree(line);
			ObjectNode reply = JSON.createObjectNode();
			try {
				cli.handle(command, reply);
				reply.put("ok", true);
			}
			catch (Throwable ex) {
				reply.removeAll();
				reply.put("ok", false);
				reply.put("error", describe(ex));
			}
			out.println(JSON.writeValueAsString(reply));
			if ("quit".equals(command.path("op").asText())) {
				break;
			}
		}
		cli.closeAll();
		System.exit(0);
	}

	private static String describe(Throwable ex) {
		StringBuilder text = new StringBuilder(ex.toString());
		for (Throwable cause = ex.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
			text.append(" <- ").append(cause);
		}
		return text.toString();
	}

	private void handle(JsonNode command, ObjectNode reply) throws Exception {
		String op = command.path("op").asText();
		switch (op) {
			case "open" -> open(command);
			case "create" -> reply.put("id", create(command));
			case "find" -> reply.set("session", find(repo(command), command.path("id").asText()));
			case "update" -> update(command, reply);
			case "delete" -> repo(command).sessions().deleteById(command.path("id").asText());
			case "byPrincipal" -> {
				Repo repo = repo(command);
				ArrayNode ids = reply.putArray("ids");
				repo.indexed().findByPrincipalName(command.path("principal").asText()).keySet().stream().sorted().forEach(ids::add);
			}
			case "parallel" -> parallel(command, reply);
			case "cleanup" -> repo(command).cleanup().run();
			case "events" -> {
				ArrayNode list = reply.putArray("events");
				synchronized (this.events) {
					for (Map<String, Object> event : this.events) {
						list.add(JSON.valueToTree(event));
					}
					this.events.clear();
				}
			}
			case "quit" -> {
			}
			default -> throw new IllegalArgumentException("unknown op " + op);
		}
	}

	private Repo repo(JsonNode command) {
		Repo repo = this.repos.get(command.path("repo").asText());
		if (repo == null) {
			throw new IllegalArgumentException("no repository named " + command.path("repo").asText());
		}
		return repo;
	}

	// --- opening repositories -------------------------------------------------------------------

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private void open(JsonNode command) throws Exception {
		String name = command.path("name").asText();
		String kind = command.path("kind").asText();
		List<AutoCloseable> closers = new ArrayList<>();
		Repo repo;
		if (kind.startsWith("redis")) {
			RedisStandaloneConfiguration server = new RedisStandaloneConfiguration(command.path("host").asText("127.0.0.1"),
					command.path("port").asInt(6379));
			LettuceConnectionFactory factory = new LettuceConnectionFactory(server);
			factory.afterPropertiesSet();
			factory.start();
			closers.add(factory::destroy);
			RedisSerializer<Object> values = switch (command.path("serializer").asText("json")) {
				case "json" -> new SessionRedisJsonConfiguration().springSessionDefaultRedisSerializer();
				case "typed" -> new GenericJackson2JsonRedisSerializer();
				case "jdk" -> new JdkSerializationRedisSerializer();
				default -> throw new IllegalArgumentException("unknown serializer");
			};
			RedisTemplate<String, Object> template = new RedisTemplate<>();
			template.setKeySerializer(RedisSerializer.string());
			template.setHashKeySerializer(RedisSerializer.string());
			template.setValueSerializer(values);
			template.setHashValueSerializer(values);
			template.setConnectionFactory(factory);
			template.afterPropertiesSet();
			String namespace = command.path("namespace").asText();
			if (kind.equals("redis-plain")) {
				RedisSessionRepository sessions = new RedisSessionRepository(template);
				sessions.setRedisKeyNamespace(namespace);
				repo = new Repo((SessionRepository) sessions, null, () -> {
				}, closers);
			}
			else {
				RedisIndexedSessionRepository sessions = new RedisIndexedSessionRepository(template);
				sessions.setRedisKeyNamespace(namespace);
				sessions.setDefaultSerializer(values);
				sessions.setCleanupCron("-");
				if ("sorted-set".equals(command.path("expirations").asText("minute"))) {
					sessions.setExpirationStore(new SortedSetRedisSessionExpirationStore(template, namespace));
				}
				sessions.setApplicationEventPublisher((event) -> record(name, event));
				sessions.afterPropertiesSet();
				closers.add(sessions::destroy);
				if (command.path("listen").asBoolean(false)) {
					try (RedisConnection connection = factory.getConnection()) {
						new ConfigureNotifyKeyspaceEventsAction().configure(connection);
					}
					RedisMessageListenerContainer container = new RedisMessageListenerContainer();
					container.setConnectionFactory(factory);
					container.addMessageListener(sessions, List.of(new ChannelTopic(sessions.getSessionDeletedChannel()),
							new ChannelTopic(sessions.getSessionExpiredChannel())));
					container.addMessageListener(sessions, new PatternTopic(sessions.getSessionCreatedChannelPrefix() + "*"));
					container.afterPropertiesSet();
					container.start();
					closers.add(0, container::destroy);
				}
				repo = new Repo((SessionRepository) sessions, (FindByIndexNameSessionRepository) sessions, sessions::cleanUpExpiredSessions,
						closers);
			}
		}
		else if (kind.equals("jdbc")) {
			PGSimpleDataSource dataSource = new PGSimpleDataSource();
			dataSource.setUrl(command.path("url").asText());
			TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
			transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
			JdbcIndexedSessionRepository sessions = new JdbcIndexedSessionRepository(new JdbcTemplate(dataSource), transactions);
			sessions.setTableName(command.path("table").asText());
			sessions.setCleanupCron("-");
			ConversionService conversions = switch (command.path("conversion").asText("json")) {
				case "json" -> new SessionJdbcJsonConfiguration().springSessionConversionService();
				case "jdk" -> jdkConversions();
				default -> throw new IllegalArgumentException("unknown conversion");
			};
			sessions.setConversionService(conversions);
			sessions.afterPropertiesSet();
			closers.add(sessions::destroy);
			repo = new Repo((SessionRepository) sessions, (FindByIndexNameSessionRepository) sessions, sessions::cleanUpExpiredSessions,
					closers);
		}
		else {
			throw new IllegalArgumentException("unknown kind " + kind);
		}
		this.repos.put(name, repo);
	}

	/** Spring Session JDBC's default conversion: Java serialization. */
	private static ConversionService jdkConversions() {
		GenericConversionService conversions = new GenericConversionService();
		conversions.addConverter(Object.class, byte[].class, new SerializingConverter());
		conversions.addConverter(byte[].class, Object.class, new DeserializingConverter());
		return conversions;
	}

	private void record(String repo, Object event) {
		if (!(event instanceof AbstractSessionEvent sessionEvent)) {
			return;
		}
		String type = (event instanceof SessionCreatedEvent) ? "created"
				: (event instanceof SessionExpiredEvent) ? "expired" : (event instanceof SessionDeletedEvent) ? "deleted" : "other";
		Map<String, Object> recorded = new LinkedHashMap<>();
		recorded.put("repo", repo);
		recorded.put("type", type);
		recorded.put("id", sessionEvent.getSessionId());
		Session session = sessionEvent.getSession();
		if (session != null) {
			recorded.put("attributes", new ArrayList<>(session.getAttributeNames()));
		}
		this.events.add(recorded);
	}

	// --- sessions ---------------------------------------------------------------------------------

	private String create(JsonNode command) {
		Repo repo = repo(command);
		Session session = repo.sessions().createSession();
		if (command.has("maxInactiveInterval")) {
			session.setMaxInactiveInterval(Duration.ofSeconds(command.path("maxInactiveInterval").asLong()));
		}
		apply(session, command);
		repo.sessions().save(session);
		return session.getId();
	}

	private void update(JsonNode command, ObjectNode reply) {
		Repo repo = repo(command);
		Session session = repo.sessions().findById(command.path("id").asText());
		reply.put("found", session != null);
		if (session == null) {
			return;
		}
		session.setLastAccessedTime(Instant.now());
		apply(session, command);
		if (command.path("changeId").asBoolean(false)) {
			session.changeSessionId();
		}
		repo.sessions().save(session);
		reply.put("id", session.getId());
	}

	/** Sets `set` (JSON values), `javaObjects` (Profile instances: Java serialization) and removes `remove`. */
	private static void apply(Session session, JsonNode command) {
		for (Iterator<Map.Entry<String, JsonNode>> fields = command.path("set").fields(); fields.hasNext();) {
			Map.Entry<String, JsonNode> field = fields.next();
			session.setAttribute(field.getKey(), JSON.convertValue(field.getValue(), Object.class));
		}
		for (Iterator<Map.Entry<String, JsonNode>> fields = command.path("javaObjects").fields(); fields.hasNext();) {
			Map.Entry<String, JsonNode> field = fields.next();
			session.setAttribute(field.getKey(), new Profile(field.getValue().path("name").asText(), field.getValue().path("level").asInt()));
		}
		for (JsonNode name : command.path("remove")) {
			session.removeAttribute(name.asText());
		}
	}

	/** The session as JSON: times, timeout, attribute values and the Java class each was read as. */
	private static JsonNode find(Repo repo, String id) {
		Session session = repo.sessions().findById(id);
		if (session == null) {
			return JSON.nullNode();
		}
		ObjectNode found = JSON.createObjectNode();
		found.put("id", session.getId());
		found.put("creationTime", session.getCreationTime().toEpochMilli());
		found.put("lastAccessedTime", session.getLastAccessedTime().toEpochMilli());
		found.put("maxInactiveInterval", session.getMaxInactiveInterval().getSeconds());
		ObjectNode attributes = found.putObject("attributes");
		ObjectNode types = found.putObject("types");
		for (String name : session.getAttributeNames()) {
			Object value = session.getAttribute(name);
			attributes.set(name, (value instanceof Profile profile) ? JSON.valueToTree(Map.of("name", profile.name(), "level", profile.level()))
					: JSON.valueToTree(value));
			types.put(name, typeOf(value));
		}
		return found;
	}

	/** `java.util.ArrayList<java.util.LinkedHashMap<java.lang.Integer>>`: the classes Java read, by the first element of each level. */
	private static String typeOf(Object value) {
		if (value == null) {
			return "null";
		}
		String type = value.getClass().getName();
		if (value instanceof List<?> list && !list.isEmpty()) {
			return type + "<" + typeOf(list.get(0)) + ">";
		}
		if (value instanceof Map<?, ?> map && !map.isEmpty()) {
			return type + "<" + typeOf(map.values().iterator().next()) + ">";
		}
		return type;
	}

	/** Each of `sets` as its own request on its own thread: load, set one attribute, save. */
	private void parallel(JsonNode command, ObjectNode reply) throws Exception {
		Repo repo = repo(command);
		String id = command.path("id").asText();
		List<JsonNode> sets = new ArrayList<>();
		command.path("sets").forEach(sets::add);
		ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(sets.size(), 16)));
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (JsonNode set : sets) {
				futures.add(pool.submit(() -> {
					Session session = repo.sessions().findById(id);
					if (session == null) {
						throw new IllegalStateException("session " + id + " not found");
					}
					session.setLastAccessedTime(Instant.now());
					for (Iterator<Map.Entry<String, JsonNode>> fields = set.fields(); fields.hasNext();) {
						Map.Entry<String, JsonNode> field = fields.next();
						session.setAttribute(field.getKey(), JSON.convertValue(field.getValue(), Object.class));
					}
					repo.sessions().save(session);
					return null;
				}));
			}
			for (Future<?> future : futures) {
				future.get();
			}
			reply.put("saved", futures.size());
		}
		finally {
			pool.shutdown();
		}
	}

	private void closeAll() {
		for (Repo repo : this.repos.values()) {
			for (AutoCloseable closer : repo.closers()) {
				try {
					closer.close();
				}
				catch (Exception ex) {
					System.err.println("close failed: " + ex);
				}
			}
		}
	}

}
