using System.Globalization;
using System.Text;
using Personalize.Data.Schemas;

namespace Personalize.Data.Generation;

/// <summary>
/// Writes realistic Interactions, Users and Items CSVs with structure a good model can learn and a naive one cannot:
/// long-tailed item popularity (Zipf), users whose tastes favour a few item categories, habit chains (each item has a
/// few likely successors, mostly in its category), sessions of consecutive events, event types with values (view
/// with a watched share, add_to_cart, purchase with the price), devices as context, and items created during the
/// range (cold start). Interactions stream user by user: memory is O(users + items), not O(rows).
/// </summary>
public sealed class SyntheticDataGenerator
{
    private const double SessionScale = 5;

    /// <summary>The mean of <see cref="SessionLength"/>: 1 + E[⌊X⌋] for X exponential with mean s is 1 + 1 / (e^(1/s) − 1).</summary>
    private static readonly double MeanSessionLength = 1 + (1 / (Math.Exp(1 / SessionScale) - 1));

    private static readonly string[] Devices = ["mobile", "desktop", "tablet"];
    private static readonly string[] Memberships = ["free", "plus", "premium"];
    private static readonly string[] Words =
        ["classic", "new", "bold", "quiet", "bright", "dark", "smart", "simple", "deluxe", "compact", "vintage", "modern", "playful", "serious"];

    private readonly GeneratorOptions _options;
    private readonly int[] _itemCategory;
    private readonly double[] _itemWeight;
    private readonly long[] _itemCreated;
    private readonly float[] _itemPrice;
    private readonly int[][] _successors;
    private readonly int[][] _categoryItems;
    private readonly double[][] _categoryCumulative;
    private readonly double[] _globalCumulative;

    public SyntheticDataGenerator(GeneratorOptions options)
    {
        options.Validate();
        _options = options;
        var random = new Random(options.Seed);
        var items = options.Items;

        // Popularity: a random item order gets Zipf weights, so the head is spread over categories.
        var rank = Enumerable.Range(0, items).OrderBy(_ => random.Next()).ToArray();
        _itemWeight = new double[items];
        _itemCategory = new int[items];
        _itemCreated = new long[items];
        _itemPrice = new float[items];
        var categoryWeights = Enumerable.Range(0, options.Categories).Select(c => 1.0 / (c + 2)).ToArray();
        var categoryCumulative = Cumulative(categoryWeights);
        for (var i = 0; i < items; i++)
        {
            _itemWeight[i] = 1.0 / Math.Pow(rank[i] + 1, options.PopularitySkew);
            _itemCategory[i] = Sample(categoryCumulative, random);
            _itemPrice[i] = (float)Math.Round(5 + (random.NextDouble() * random.NextDouble() * 195), 2);
            _itemCreated[i] = random.NextDouble() < options.NewItemShare
                ? options.StartTime + (long)(random.NextDouble() * (options.EndTime - options.StartTime))
                : options.StartTime - (long)(random.NextDouble() * 365 * 86_400);
        }

        _categoryItems = Enumerable.Range(0, options.Categories)
            .Select(c => Enumerable.Range(0, items).Where(i => _itemCategory[i] == c).ToArray()).ToArray();
        _categoryCumulative = _categoryItems.Select(members => Cumulative(members.Select(i => _itemWeight[i]).ToArray())).ToArray();
        _globalCumulative = Cumulative(_itemWeight);

        // Habit chains: three likely successors per item, mostly popular items of the same category.
        _successors = new int[items][];
        for (var i = 0; i < items; i++)
        {
            var next = new int[3];
            for (var k = 0; k < next.Length; k++)
            {
                var members = _categoryItems[_itemCategory[i]];
                do
                {
                    next[k] = random.NextDouble() < 0.8 && members.Length > 1
                        ? members[Sample(_categoryCumulative[_itemCategory[i]], random)]
                        : Sample(_globalCumulative, random);
                }
                while (next[k] == i);
            }

            _successors[i] = next;
        }
    }

    public GeneratorOptions Options => _options;

    public static DatasetSchema InteractionsSchema { get; } = DatasetSchema.Create(DatasetTypes.Interactions,
        new SchemaField(FieldNames.UserId, FieldType.String, false),
        new SchemaField(FieldNames.ItemId, FieldType.String, false),
        new SchemaField(FieldNames.Timestamp, FieldType.Long, false),
        new SchemaField(FieldNames.EventType, FieldType.String, false),
        new SchemaField(FieldNames.EventValue, FieldType.Float, true),
        new SchemaField("DEVICE", FieldType.String, true, Categorical: true));

    public static DatasetSchema UsersSchema { get; } = DatasetSchema.Create(DatasetTypes.Users,
        new SchemaField(FieldNames.UserId, FieldType.String, false),
        new SchemaField("AGE", FieldType.Int, true),
        new SchemaField("MEMBERSHIP", FieldType.String, true, Categorical: true));

    public static DatasetSchema ItemsSchema { get; } = DatasetSchema.Create(DatasetTypes.Items,
        new SchemaField(FieldNames.ItemId, FieldType.String, false),
        new SchemaField("CATEGORY_L1", FieldType.String, false, Categorical: true),
        new SchemaField("GENRES", FieldType.String, true, Categorical: true),
        new SchemaField("PRICE", FieldType.Float, true),
        new SchemaField(FieldNames.CreationTimestamp, FieldType.Long, false),
        new SchemaField("DESCRIPTION", FieldType.String, true, Textual: true));

    public static string UserId(int user) => "u" + user.ToString(CultureInfo.InvariantCulture);

    public static string ItemId(int item) => "i" + item.ToString(CultureInfo.InvariantCulture);

    /// <summary>The generator index behind an id <see cref="UserId"/> or <see cref="ItemId"/> wrote.</summary>
    public static int IndexOf(string id) => int.Parse(id.AsSpan(1), CultureInfo.InvariantCulture);

    /// <summary>The category an item was generated in (tests use it to check that tastes are learnable).</summary>
    public int CategoryOf(int item) => _itemCategory[item];

    /// <summary>
    /// How often each item (by generator index) appears among <paramref name="user"/>'s next <paramref name="count"/>
    /// events after <paramref name="history"/>, over <paramref name="simulations"/> runs of this generator's own process
    /// with the user's hidden tastes, the habit chains and the popularity it drew. Ranking items by it is what a model
    /// that had learnt the generator exactly would do, so benchmarks use it as the ceiling a learned model can approach.
    /// The window starts in the history's last session with the share of events that do not open one; items created
    /// by the end of the range may appear, since the window's time is not known. Without <paramref name="habitChains"/>
    /// every event is a fresh pick: what the tastes and popularity alone predict, the part an order-free model can learn.
    /// </summary>
    public double[] NextEventOdds(int user, IReadOnlyList<int> history, int count, int simulations, bool habitChains = true)
    {
        var profile = new UserProfile(this, user);
        var odds = new double[_options.Items];
        var random = new Random(unchecked((_options.Seed * 7_368_787) + user));
        var inSessionShare = 1 - (1 / MeanSessionLength);
        for (var run = 0; run < simulations; run++)
        {
            var seen = _options.RepeatItems ? null : new HashSet<int>(history);
            var item = history.Count > 0 ? history[^1] : -1;
            var sessionLeft = item >= 0 && random.NextDouble() < inSessionShare ? SessionLength(random) : 0;
            for (var k = 0; k < count; k++, sessionLeft--)
            {
                if (sessionLeft <= 0)
                {
                    item = -1;
                    sessionLeft = SessionLength(random);
                }

                var time = _options.EndTime;
                item = profile.Next(habitChains ? item : -1, seen, ref time, random);
                odds[item] += 1.0 / simulations;
            }
        }

        return odds;
    }

    public async Task WriteItemsAsync(TextWriter writer, CancellationToken cancellationToken = default)
    {
        await writer.WriteLineAsync(Header(ItemsSchema));
        var random = new Random(_options.Seed + 1);
        var line = new StringBuilder();
        for (var i = 0; i < _options.Items; i++)
        {
            var category = _itemCategory[i];
            var genre = $"c{category}";
            var genres = random.NextDouble() < 0.5 ? $"{genre}|{genre}-s{random.Next(4)}" : genre;
            var description = $"A {Words[random.Next(Words.Length)]}, {Words[random.Next(Words.Length)]} \"{genre}\" item";
            line.Clear().Append(ItemId(i)).Append(',').Append(genre).Append(',').Append(genres).Append(',')
                .Append(_itemPrice[i].ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(_itemCreated[i].ToString(CultureInfo.InvariantCulture)).Append(",\"")
                .Append(description.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
            await writer.WriteLineAsync(line, cancellationToken);
        }
    }

    public async Task WriteUsersAsync(TextWriter writer, CancellationToken cancellationToken = default)
    {
        await writer.WriteLineAsync(Header(UsersSchema));
        var line = new StringBuilder();
        for (var u = 0; u < _options.Users; u++)
        {
            var profile = new UserProfile(this, u);
            line.Clear().Append(UserId(u)).Append(',').Append(profile.Age.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Memberships[profile.Membership]);
            await writer.WriteLineAsync(line, cancellationToken);
        }
    }

    /// <summary>Writes every interaction, user by user; returns the number of rows written (exactly Options.Interactions).</summary>
    public async Task<long> WriteInteractionsAsync(TextWriter writer, CancellationToken cancellationToken = default)
    {
        await writer.WriteLineAsync(Header(InteractionsSchema));
        var counts = InteractionsPerUser();
        long written = 0;
        var line = new StringBuilder(64);
        for (var u = 0; u < _options.Users; u++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var profile = new UserProfile(this, u);
            var user = UserId(u);
            foreach (var e in profile.Events(counts[u]))
            {
                line.Clear().Append(user).Append(",i").Append(e.Item).Append(',').Append(e.Time).Append(',').Append(e.Type).Append(',');
                if (e.Value is { } value)
                {
                    line.Append(value.ToString("0.###", CultureInfo.InvariantCulture));
                }

                line.Append(',').Append(Devices[e.Device]);
                await writer.WriteLineAsync(line, cancellationToken);
                written++;
            }
        }

        return written;
    }

    /// <summary>
    /// Long-tailed activity (log-normal), at least 2 events a user when there are enough, summing exactly to Interactions;
    /// without repeated items no user gets more than Items (the excess goes to the others).
    /// </summary>
    private long[] InteractionsPerUser()
    {
        var random = new Random(_options.Seed + 2);
        var activity = Enumerable.Range(0, _options.Users).Select(_ => Math.Exp(Normal(random) * 1.0)).ToArray();
        var total = activity.Sum();
        var cap = _options.RepeatItems ? long.MaxValue : _options.Items;
        var counts = activity.Select(a => Math.Min(cap, (long)Math.Floor(_options.Interactions * a / total))).ToArray();
        var remainder = _options.Interactions - counts.Sum();
        for (var u = 0; remainder > 0; u = (u + 1) % counts.Length)
        {
            if (counts[u] < cap)
            {
                counts[u]++;
                remainder--;
            }
        }

        return counts;
    }

    /// <summary>Events in a session: one, plus an exponential number with mean <see cref="SessionScale"/> rounded down.</summary>
    private static long SessionLength(Random random) => 1 + (long)(-Math.Log(1 - random.NextDouble()) * SessionScale);

    private static string Header(DatasetSchema schema) => string.Join(',', schema.Fields.Select(f => f.Name));

    private static double[] Cumulative(double[] weights)
    {
        var cumulative = new double[weights.Length];
        double sum = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            cumulative[i] = sum;
        }

        return cumulative;
    }

    private static int Sample(double[] cumulative, Random random)
    {
        var index = Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]);
        return Math.Min(index < 0 ? ~index : index, cumulative.Length - 1);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private readonly record struct GeneratedEvent(int Item, long Time, string Type, float? Value, int Device);

    /// <summary>A user's hidden tastes and habits, derived from the seed and the user's index alone.</summary>
    private sealed class UserProfile
    {
        private readonly SyntheticDataGenerator _generator;
        private readonly Random _random;
        private readonly int[] _tastes;
        private readonly double[] _tasteCumulative;
        private readonly int _device;

        public UserProfile(SyntheticDataGenerator generator, int user)
        {
            _generator = generator;
            // Not HashCode.Combine: it is randomised per process, so the same seed would give other data in each run.
            _random = new Random(unchecked((generator._options.Seed * 1_000_003) + (user * 7919) + 17));
            var categories = generator._options.Categories;
            var count = Math.Min(categories, 1 + _random.Next(3));
            _tastes = Enumerable.Range(0, categories).OrderBy(_ => _random.Next()).Take(count).ToArray();
            _tasteCumulative = Cumulative(_tastes.Select((_, k) => 1.0 / (k + 1)).ToArray());
            _device = _random.Next(Devices.Length);
            Age = 18 + _random.Next(50);
            Membership = _random.NextDouble() switch { < 0.6 => 0, < 0.9 => 1, _ => 2 };
        }

        public int Age { get; }

        public int Membership { get; }

        public IEnumerable<GeneratedEvent> Events(long count)
        {
            var options = _generator._options;
            var span = options.EndTime - options.StartTime;
            long produced = 0;
            var seen = options.RepeatItems ? null : new HashSet<int>();
            while (produced < count)
            {
                var length = Math.Min(count - produced, SessionLength(_random));
                var time = options.StartTime + (long)(_random.NextDouble() * span * 0.98);
                var device = _random.NextDouble() < 0.8 ? _device : _random.Next(Devices.Length);
                var item = -1;
                for (var k = 0; k < length; k++)
                {
                    item = Next(item, seen, ref time, _random);

                    var inTaste = _tastes.Contains(_generator._itemCategory[item]);
                    var roll = _random.NextDouble();
                    var purchase = inTaste ? 0.12 : 0.04;
                    yield return roll < purchase
                        ? new GeneratedEvent(item, time, "purchase", _generator._itemPrice[item], device)
                        : roll < purchase + 0.2
                            ? new GeneratedEvent(item, time, "add_to_cart", null, device)
                            : new GeneratedEvent(item, time, "view", (float)(inTaste ? 0.5 + (_random.NextDouble() / 2) : _random.NextDouble() * 0.6), device);
                    time += 20 + _random.Next(300);
                }

                produced += length;
            }
        }

        /// <summary>
        /// The event after <paramref name="previous"/> (-1 at a session's start): its habit chain or a new pick, never
        /// an item in <paramref name="seen"/> when that is given.
        /// </summary>
        public int Next(int previous, HashSet<int>? seen, ref long time, Random random)
        {
            var item = previous >= 0 && random.NextDouble() < _generator._options.SequentialShare ? Follow(previous, time, random) : Pick(time, random);
            return seen is null ? item : Unseen(item, seen, ref time, random);
        }

        /// <summary>
        /// The item, or when the user had it already another pick, then the most popular item the user has not had
        /// (one created by <paramref name="time"/> if any; else the oldest, with the time moved to its creation).
        /// </summary>
        private int Unseen(int item, HashSet<int> seen, ref long time, Random random)
        {
            var g = _generator;
            for (var attempt = 0; attempt < 8 && seen.Contains(item); attempt++)
            {
                item = Pick(time, random);
            }

            if (seen.Contains(item))
            {
                var best = -1;
                for (var i = 0; i < g._itemWeight.Length; i++)
                {
                    if (!seen.Contains(i) && (best < 0 || Existing(i, time).CompareTo(Existing(best, time)) > 0))
                    {
                        best = i;
                    }
                }

                item = best;
                time = Math.Max(time, g._itemCreated[item]);
            }

            seen.Add(item);
            return item;
        }

        /// <summary>Orders items: those created by <paramref name="time"/> first, by popularity; then the others, oldest first.</summary>
        private (bool Exists, double Rank) Existing(int item, long time) =>
            _generator._itemCreated[item] <= time ? (true, _generator._itemWeight[item]) : (false, -_generator._itemCreated[item]);

        private int Follow(int previous, long time, Random random)
        {
            var successors = _generator._successors[previous];
            var roll = random.NextDouble();
            var next = successors[roll < 0.6 ? 0 : roll < 0.9 ? 1 : 2];
            return _generator._itemCreated[next] <= time ? next : Pick(time, random);
        }

        /// <summary>A taste category's item by popularity (80%) or any popular item; retried until one exists at that time.</summary>
        private int Pick(long time, Random random)
        {
            var g = _generator;
            for (var attempt = 0; ; attempt++)
            {
                int item;
                if (random.NextDouble() < 0.8)
                {
                    var category = _tastes[Sample(_tasteCumulative, random)];
                    var members = g._categoryItems[category];
                    item = members.Length == 0 ? Sample(g._globalCumulative, random) : members[Sample(g._categoryCumulative[category], random)];
                }
                else
                {
                    item = Sample(g._globalCumulative, random);
                }

                if (g._itemCreated[item] <= time || attempt >= 8)
                {
                    return g._itemCreated[item] <= time ? item : OldestPopular(time);
                }
            }
        }

        private int OldestPopular(long time)
        {
            var g = _generator;
            var best = 0;
            for (var i = 0; i < g._itemWeight.Length; i++)
            {
                if (g._itemCreated[i] <= time && (g._itemCreated[best] > time || g._itemWeight[i] > g._itemWeight[best]))
                {
                    best = i;
                }
            }

            return best;
        }
    }
}
