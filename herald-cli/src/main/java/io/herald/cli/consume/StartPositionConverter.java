package io.herald.cli.consume;

import java.time.ZoneId;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli's converter for {@code --from}; local times are read in the system time zone. */
public final class StartPositionConverter implements ITypeConverter<StartPosition> {

    @Override
    public StartPosition convert(String value) {
        try {
            return StartPosition.parse(value, ZoneId.systemDefault());
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
