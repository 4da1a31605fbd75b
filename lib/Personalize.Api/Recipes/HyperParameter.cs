using System.Globalization;

namespace Personalize.Api;

public enum HyperParameterKind
{
    Integer,
    Continuous,
    Categorical,
}

/// <summary>One hyper-parameter of a recipe: its default, its range, and whether HPO may tune it.</summary>
public sealed record HyperParameter(
    string Name,
    HyperParameterKind Kind,
    string Default,
    double Min,
    double Max,
    IReadOnlyList<string> Values,
    bool Tunable,
    bool Featurization)
{
    public static HyperParameter Integer(string name, int @default, int min, int max, bool tunable = true, bool featurization = false) =>
        new(name, HyperParameterKind.Integer, @default.ToString(CultureInfo.InvariantCulture), min, max, [], tunable, featurization);

    public static HyperParameter Continuous(string name, double @default, double min, double max, bool tunable = true, bool featurization = false) =>
        new(name, HyperParameterKind.Continuous, @default.ToString(CultureInfo.InvariantCulture), min, max, [], tunable, featurization);

    public static HyperParameter Categorical(string name, string @default, IReadOnlyList<string> values, bool tunable = true, bool featurization = false) =>
        new(name, HyperParameterKind.Categorical, @default, 0, 0, values, tunable, featurization);

    /// <summary>Null when the value fits; otherwise what is wrong with it.</summary>
    public string? Check(string value)
    {
        switch (Kind)
        {
            case HyperParameterKind.Integer:
                if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer))
                {
                    return $"\"{value}\" is not an integer";
                }

                return integer < Min || integer > Max ? $"{integer} is outside [{Min.ToString(CultureInfo.InvariantCulture)}, {Max.ToString(CultureInfo.InvariantCulture)}]" : null;
            case HyperParameterKind.Continuous:
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
                {
                    return $"\"{value}\" is not a number";
                }

                return number < Min || number > Max ? $"{value} is outside [{Min.ToString(CultureInfo.InvariantCulture)}, {Max.ToString(CultureInfo.InvariantCulture)}]" : null;
            default:
                return Values.Contains(value, StringComparer.OrdinalIgnoreCase) ? null : $"\"{value}\" is not one of {string.Join(", ", Values)}";
        }
    }
}
