package dev.scheduler.engine;

import dev.scheduler.client.TaskLimits;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a default the way the docs write it into a value of the setting's type, so that it can be compared with
 * the default in the code. The formats are the ones docs/configuration.md and the README use:
 *
 * <ul>
 *   <li>durations: {@code 60 s}, {@code 100 ms}, {@code 1 min}, {@code 14 days} (also {@code h}, {@code 0.5 s});
 *   <li>counts: {@code 32}, {@code 2,000}, and sizes {@code 512 bytes}, {@code 64 KiB};
 *   <li>fractions: {@code 2}, {@code 0.5}; booleans: {@code true};
 *   <li>names, with or without backticks: {@code `LOCAL_QUORUM`}, {@code `127.0.0.1`}; {@code none} is no value;
 *   <li>lists of names: {@code `a`, `b`}; {@code none} is the empty list;
 *   <li>a static factory of the setting's type: {@code `RetryPolicy.defaults()`}, {@code `Replication.simple(1)`};
 *   <li>the README's one-line summaries: {@code `SimpleStrategy`, factor 1},
 *       {@code 10 attempts, 1 s doubling to 5 min, jitter 0.5}, {@code ids 512 bytes, records 64 KiB}.
 * </ul>
 *
 * <p>A text it cannot read fails with an {@link IllegalArgumentException} that quotes it.
 */
final class DocumentedValue {

    private static final String NUMBER = "(\\d{1,3}(?:,\\d{3})+|\\d+(?:\\.\\d+)?)";
    private static final Pattern DURATION = Pattern.compile(NUMBER + " ?(ms|s|min|h|days?)");
    private static final Pattern COUNT = Pattern.compile(NUMBER + "(?: (bytes|KiB|MiB))?");
    private static final Pattern IN_BACKTICKS = Pattern.compile("`([^`]*)`");
    private static final Pattern FACTORY_CALL = Pattern.compile("`(\\w+)\\.(\\w+)\\(([^)]*)\\)`");
    private static final Pattern SIMPLE_STRATEGY = Pattern.compile("`SimpleStrategy`, factor (.+)");
    private static final Pattern RETRY_POLICY = Pattern.compile("(.+) attempts, (.+) doubling to (.+), jitter (.+)");
    private static final Pattern TASK_LIMITS = Pattern.compile("ids (.+), records (.+)");

    private static final Map<String, Duration> TIME_UNITS = Map.of(
            "ms",
            Duration.ofMillis(1),
            "s",
            Duration.ofSeconds(1),
            "min",
            Duration.ofMinutes(1),
            "h",
            Duration.ofHours(1),
            "day",
            Duration.ofDays(1),
            "days",
            Duration.ofDays(1));
    private static final Map<String, Long> BYTE_UNITS = Map.of("bytes", 1L, "KiB", 1024L, "MiB", 1024L * 1024);

    private DocumentedValue() {}

    /**
     * The values of a cell that documents several settings set by one builder method, in order:
     * {@code 100 ms, 10 s} or {@code 100 ms to 10 s}; {@code `LOCAL_QUORUM`, `LOCAL_QUORUM`, `LOCAL_SERIAL`}.
     */
    static List<String> split(String text) {
        return List.of(text.strip().split(",\\s+|\\s+to\\s+"));
    }

    /** The value {@code text} documents, as a {@code type}. */
    static Object read(String text, Class<?> type) {
        String t = text.strip();
        if (type == List.class) {
            // A list of names: `a`, `b`; none is the empty list.
            return t.equals("none")
                    ? List.of()
                    : split(t).stream().map(n -> (String) read(n, String.class)).toList();
        }
        if (t.equals("none") && !type.isPrimitive()) {
            return null;
        }
        Matcher factoryCall = FACTORY_CALL.matcher(t);
        if (factoryCall.matches()) {
            return callFactory(type, factoryCall.group(1), factoryCall.group(2), factoryCall.group(3));
        }
        Matcher code = IN_BACKTICKS.matcher(t);
        if (code.matches()) {
            t = code.group(1);
        }
        if (type == Duration.class) {
            return duration(t);
        }
        if (type == int.class) {
            return count(t);
        }
        if (type == double.class) {
            return fraction(t);
        }
        if (type == boolean.class) {
            return bool(t);
        }
        if (type == String.class) {
            return t;
        }
        if (type == Replication.class) {
            return replication(t);
        }
        if (type == RetryPolicy.class) {
            return retryPolicy(t);
        }
        if (type == TaskLimits.class) {
            return taskLimits(t);
        }
        throw new IllegalArgumentException("no reader for a default of type " + type.getName());
    }

    private static Duration duration(String t) {
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + t + "' is not a duration such as 100 ms, 60 s, 1 min or 14 days");
        }
        BigDecimal nanos = number(m.group(1))
                .multiply(BigDecimal.valueOf(TIME_UNITS.get(m.group(2)).toNanos()));
        return Duration.ofNanos(nanos.longValueExact());
    }

    private static int count(String t) {
        Matcher m = COUNT.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + t + "' is not a count such as 32, 2,000 or 64 KiB");
        }
        long unit = m.group(2) == null ? 1 : BYTE_UNITS.get(m.group(2));
        try {
            return number(m.group(1)).multiply(BigDecimal.valueOf(unit)).intValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + t + "' is not a whole number that fits an int");
        }
    }

    private static double fraction(String t) {
        if (!t.matches("\\d+(\\.\\d+)?")) {
            throw new IllegalArgumentException("'" + t + "' is not a number such as 2 or 0.5");
        }
        return Double.parseDouble(t);
    }

    private static boolean bool(String t) {
        if (!t.equals("true") && !t.equals("false")) {
            throw new IllegalArgumentException("'" + t + "' is neither true nor false");
        }
        return Boolean.parseBoolean(t);
    }

    private static Replication replication(String t) {
        Matcher m = SIMPLE_STRATEGY.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + t + "' is not a replication such as `SimpleStrategy`, factor 1");
        }
        return Replication.simple(count(m.group(1)));
    }

    private static RetryPolicy retryPolicy(String t) {
        Matcher m = RETRY_POLICY.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + t + "' is not a retry policy such as 10 attempts, 1 s doubling to 5 min, jitter 0.5");
        }
        return new RetryPolicy(
                count(m.group(1)), duration(m.group(2)), duration(m.group(3)), 2.0, fraction(m.group(4)));
    }

    private static TaskLimits taskLimits(String t) {
        Matcher m = TASK_LIMITS.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + t + "' is not task limits such as ids 512 bytes, records 64 KiB");
        }
        return new TaskLimits(count(m.group(1)), count(m.group(2)));
    }

    /** {@code `Type.method(args)`}: calls that public static method of {@code type}, each argument read as well. */
    private static Object callFactory(Class<?> type, String typeName, String methodName, String argumentList) {
        if (!typeName.equals(type.getSimpleName())) {
            throw new IllegalArgumentException(
                    "`" + typeName + "." + methodName + "(...)` is not a " + type.getSimpleName());
        }
        List<String> arguments = argumentList.isBlank()
                ? List.of()
                : List.of(argumentList.strip().split(",\\s*"));
        Method factory = Arrays.stream(type.getMethods())
                .filter(method -> Modifier.isStatic(method.getModifiers()))
                .filter(method -> method.getName().equals(methodName))
                .filter(method -> method.getParameterCount() == arguments.size())
                .filter(method -> type.isAssignableFrom(method.getReturnType()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(type.getSimpleName() + " has no static " + methodName
                        + " with " + arguments.size() + " parameters"));
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) {
            values.add(read(arguments.get(i), factory.getParameterTypes()[i]));
        }
        try {
            return factory.invoke(null, values.toArray());
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalArgumentException("`" + typeName + "." + methodName + "(" + argumentList + ")` failed", e);
        }
    }

    private static BigDecimal number(String digits) {
        return new BigDecimal(digits.replace(",", ""));
    }
}
