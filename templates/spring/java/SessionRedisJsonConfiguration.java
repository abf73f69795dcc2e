import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.data.redis.serializer.SerializationException;

/**
 * Spring Session Data Redis writes every value (hash fields, set members, the created event) with
 * this serializer instead of Java serialization, so a Node app with sessiongen shares the sessions.
 */
@Configuration(proxyBeanMethods = false)
public class SessionRedisJsonConfiguration {

	@Bean
	public RedisSerializer<Object> springSessionDefaultRedisSerializer() {
		return new RedisSerializer<>() {

			@Override
			public byte[] serialize(Object value) throws SerializationException {
				return SessionValueCodec.encode(value);
			}

			@Override
			public Object deserialize(byte[] bytes) throws SerializationException {
				return SessionValueCodec.decode(bytes);
			}

		};
	}

}
