namespace Personalize.Models.Filters;

/// <summary>A request's filterValues do not fit the filter (a missing INCLUDE parameter, a malformed value list).</summary>
public sealed class FilterValueException(string message) : ArgumentException(message);
