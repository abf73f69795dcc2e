import java.io.Serializable;

/**
 * A Java object of the app's own (a POJO): stored with Java serialization by SessionValueCodec,
 * kept untouched by sessiongen, which cannot read it.
 */
public record Profile(String name, int level) implements Serializable {
}
