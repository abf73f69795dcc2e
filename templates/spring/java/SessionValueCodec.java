import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Session values as a Node app with sessiongen shares them: JSON values (String, Boolean, numbers,
 * List, Map with String keys, nested) as plain UTF-8 JSON without type information, which both
 * sides read and write; any other object (a SecurityContext, a class of your own) as Java
 * serialization, which stays in the session for the Java side and which sessiongen keeps untouched
 * but does not read.
 */
public final class SessionValueCodec {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final byte[] EMPTY = new byte[0];

	private SessionValueCodec() {
	}

	public static byte[] encode(Object value) {
		if (value == null) {
			return EMPTY;
		}
		try {
			if (isJson(value)) {
				return JSON.writeValueAsBytes(value);
			}
			if (!(value instanceof Serializable)) {
				throw new IllegalArgumentException("a session value must be a JSON value or Serializable, not " + value.getClass().getName());
			}
			ByteArrayOutputStream bytes = new ByteArrayOutputStream();
			try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
				out.writeObject(value);
			}
			return bytes.toByteArray();
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("cannot write a session value of " + value.getClass().getName(), ex);
		}
	}

	public static Object decode(byte[] bytes) {
		if (bytes == null || bytes.length == 0) {
			return null;
		}
		try {
			if (bytes.length > 1 && (bytes[0] & 0xff) == 0xac && (bytes[1] & 0xff) == 0xed) {
				try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
					return in.readObject();
				}
			}
			return JSON.readValue(bytes, Object.class);
		}
		catch (IOException | ClassNotFoundException ex) {
			throw new IllegalArgumentException("cannot read a session value", ex);
		}
	}

	/** Whether the value is JSON all the way down (what sessiongen can read). */
	public static boolean isJson(Object value) {
		if (value == null || value instanceof String || value instanceof Boolean) {
			return true;
		}
		if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
				|| value instanceof BigInteger || value instanceof BigDecimal) {
			return true;
		}
		if (value instanceof Double || value instanceof Float) {
			return Double.isFinite(((Number) value).doubleValue());
		}
		if (value instanceof List<?> list) {
			return list.stream().allMatch(SessionValueCodec::isJson);
		}
		if (value instanceof Map<?, ?> map) {
			return map.entrySet().stream().allMatch((entry) -> entry.getKey() instanceof String && isJson(entry.getValue()));
		}
		return false;
	}

}
