import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.support.GenericConversionService;

/**
 * Spring Session JDBC converts every attribute with this conversion service instead of Java
 * serialization, so the ATTRIBUTE_BYTES a Node app with sessiongen reads and writes are UTF-8 JSON.
 */
@Configuration(proxyBeanMethods = false)
public class SessionJdbcJsonConfiguration {

	@Bean
	public ConversionService springSessionConversionService() {
		GenericConversionService conversions = new GenericConversionService();
		conversions.addConverter(Object.class, byte[].class, SessionValueCodec::encode);
		conversions.addConverter(byte[].class, Object.class, SessionValueCodec::decode);
		return conversions;
	}

}
