using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Personalize.Runtime.Api;

/// <summary>AWS rest-json timestamps: epoch seconds (possibly fractional) as botocore sends them, or ISO-8601 text.</summary>
public sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset?>
{
    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                return FromSeconds(reader.GetDouble());
            case JsonTokenType.String:
                var text = reader.GetString()!;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
                {
                    return FromSeconds(seconds);
                }

                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    return parsed;
                }

                throw new JsonException($"\"{text}\" is not a timestamp (epoch seconds or ISO-8601).");
            default:
                throw new JsonException("expected a timestamp (epoch seconds or ISO-8601).");
        }
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteNumberValue(value.Value.ToUnixTimeMilliseconds() / 1000.0);
        }
    }

    private static DateTimeOffset FromSeconds(double seconds)
    {
        if (double.IsNaN(seconds) || seconds < 0 || seconds > 253402300799)
        {
            throw new JsonException($"{seconds} is not a valid epoch-seconds timestamp.");
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
    }
}
